/**
 * Kiln's errors: one class, stable SCREAMING_SNAKE codes, and per-package registries
 * that say which HTTP status a code maps to when it reaches a client.
 */

export interface ErrorSpec {
  /** HTTP status when the error is answered to a client; absent means a server fault (500). */
  readonly httpStatus?: number;
  /** A sentence a person understands; the default message when none is given. */
  readonly message: string;
}

export type ErrorSpecs = Readonly<Record<string, ErrorSpec>>;

export interface KilnErrorOptions {
  readonly cause?: unknown;
  /** Facts that help whoever reads the log; answered to clients only for 4xx errors. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class KilnError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly httpStatus: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: Code, message: string, httpStatus = 500, options: KilnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KilnError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.details = options.details;
  }

  /** The body a client gets: code and message, never a stack. */
  toJSON(): { code: Code; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.httpStatus < 500 && this.details !== undefined
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export interface ErrorRegistry<Specs extends ErrorSpecs> {
  readonly specs: Specs;
  /** Builds the error for `code`, with the registry's HTTP status and default message. */
  create<Code extends keyof Specs & string>(
    code: Code,
    message?: string,
    options?: KilnErrorOptions,
  ): KilnError<Code>;
  /** True when `value` is a KilnError with one of this registry's codes (or exactly `code`). */
  is<Code extends keyof Specs & string>(value: unknown, code?: Code): value is KilnError<Code>;
}

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export function defineErrors<const Specs extends ErrorSpecs>(specs: Specs): ErrorRegistry<Specs> {
  for (const code of Object.keys(specs)) {
    if (!SCREAMING_SNAKE.test(code)) throw new TypeError(`error code ${code} is not SCREAMING_SNAKE`);
  }
  const create = <Code extends keyof Specs & string>(
    code: Code,
    message?: string,
    options?: KilnErrorOptions,
  ): KilnError<Code> => {
    const spec: ErrorSpec = specs[code];
    return new KilnError(code, message ?? spec.message, spec.httpStatus ?? 500, options);
  };
  const is = <Code extends keyof Specs & string>(value: unknown, code?: Code): value is KilnError<Code> => {
    if (!isKilnError(value)) return false;
    return code === undefined ? Object.hasOwn(specs, value.code) : value.code === code;
  };
  return Object.freeze({ specs, create, is });
}

/** Errors raised by the shared core. Packages define their own registries beside their code. */
export const SharedErrors = defineErrors({
  CONFIG_INVALID: { message: 'the configuration is invalid' },
  STORAGE_NOT_FOUND: { httpStatus: 404, message: 'no object at that key' },
  STORAGE_INVALID_KEY: { httpStatus: 400, message: 'that object key is not allowed' },
  STORAGE_INVALID_RANGE: { httpStatus: 416, message: 'the byte range is outside the object' },
  STORAGE_FAILED: { message: 'the object storage failed' },
  TOKEN_MALFORMED: { httpStatus: 403, message: 'the token is malformed' },
  TOKEN_TAMPERED: { httpStatus: 403, message: 'the token signature does not match' },
  TOKEN_EXPIRED: { httpStatus: 403, message: 'the token has expired' },
  TOKEN_WRONG_KIND: { httpStatus: 403, message: 'this token is not valid here' },
  TOKEN_WRONG_VIDEO: { httpStatus: 403, message: 'the token is for another video' },
  PROFILE_UNKNOWN: { httpStatus: 400, message: 'unknown device profile' },
  FFMPEG_FAILED: { message: 'ffmpeg failed' },
  FFMPEG_ABORTED: { message: 'ffmpeg was stopped' },
  FFMPEG_NOT_FOUND: { message: 'ffmpeg is not installed or not on PATH' },
  FFPROBE_FAILED: { message: 'ffprobe could not read the input' },
});

export type SharedErrorCode = keyof typeof SharedErrors.specs;

/** Accepts any error: a KilnError keeps its code, anything else becomes INTERNAL. */
export function errorCode(error: unknown): string {
  return isKilnError(error) ? error.code : 'INTERNAL';
}

/** `instanceof` on the generic class narrows to KilnError<any>; this keeps the code a string. */
export function isKilnError(value: unknown): value is KilnError {
  return value instanceof KilnError;
}
