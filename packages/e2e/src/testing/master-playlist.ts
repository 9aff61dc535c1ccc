/**
 * The variant a test reads completely: the lowest-bandwidth one with video (audio-only sources:
 * the lowest one). Every rendition of a video follows the same segment schedule, so any of them
 * tells whether the video plays to its end with the right length; the lowest costs the on-demand
 * worker least and exists for every source, whatever its size (rungs never exceed the source).
 */
export interface Variant {
  /** Absolute URL of the variant playlist. */
  readonly url: string;
  readonly bandwidth: number;
  /** AVERAGE-BANDWIDTH, when the master declares it. */
  readonly averageBandwidth?: number;
  readonly codecs: string;
  readonly resolution?: string;
  readonly frameRate?: number;
}

/** `KEY=value` pairs of an attribute list (RFC 8216 4.2), quoted strings unquoted. */
export function parseAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes.set(match[1] ?? '', (match[2] ?? '').replace(/^"(.*)"$/, '$1'));
  }
  return attributes;
}

export function parseMaster(text: string, masterUrl: URL): Variant[] {
  const lines = text.split('\n').map((line) => line.trim());
  const variants: Variant[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const uri = lines.slice(i + 1).find((next) => next !== '' && !next.startsWith('#'));
    if (uri === undefined) return;
    const attributes = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    const resolution = attributes.get('RESOLUTION');
    const frameRate = attributes.get('FRAME-RATE');
    const average = attributes.get('AVERAGE-BANDWIDTH');
    variants.push({
      url: new URL(uri, masterUrl).href,
      bandwidth: Number(attributes.get('BANDWIDTH')),
      ...(average === undefined ? {} : { averageBandwidth: Number(average) }),
      codecs: attributes.get('CODECS') ?? '',
      ...(resolution === undefined ? {} : { resolution }),
      ...(frameRate === undefined ? {} : { frameRate: Number(frameRate) }),
    });
  });
  return variants;
}

export function chooseVariant(text: string, masterUrl: URL): Variant {
  const variants = parseMaster(text, masterUrl).sort((a, b) => a.bandwidth - b.bandwidth);
  const chosen = variants.find((variant) => variant.resolution !== undefined) ?? variants[0];
  if (chosen === undefined) throw new Error(`the master playlist at ${masterUrl.pathname} lists no variant`);
  return chosen;
}
