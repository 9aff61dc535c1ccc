/**
 * A device profile guessed from a User-Agent when the playback request names none. Deliberately
 * small: it only has to keep the oldest decoders on Baseline and give desktops 1080p; anything
 * unknown gets `mobile`, which every device since ~2010 decodes.
 */
import type { ProfileName } from './profiles.js';

/** iOS 4.2.1 was the last for the iPhone 3G (Baseline only); iOS 5 needs a 3GS or later (Main). */
const FIRST_IOS_WITH_MAIN_PROFILE = 5;
/** Android before 4.0 often shipped decoders limited to Baseline. */
const FIRST_ANDROID_WITH_MAIN_PROFILE = 4;

/** Phones and platforms whose hardware decoders only promise Baseline. */
const BASELINE_ONLY_DEVICES = /BlackBerry|BB10|Windows Phone|Windows CE|IEMobile|Symbian|SymbOS|Series40|Opera Mini|J2ME|MIDP|KaiOS/i;
const DESKTOP_PLATFORMS = /Windows NT|Macintosh|Mac OS X|X11|Linux x86_64|CrOS|SmartTV|SMART-TV|Tizen|Web0S|webOS.TV|AppleTV|tvOS|Xbox|PlayStation/i;

function majorVersion(userAgent: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(userAgent);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}

function appleMobileProfile(userAgent: string): ProfileName | undefined {
  const device = /\b(iPhone|iPod|iPad)\b/.exec(userAgent)?.[1];
  if (device === undefined) return undefined;
  const ios = majorVersion(userAgent, /\bCPU (?:iPhone )?OS (\d+)[_.]/);
  if (ios !== undefined && ios < FIRST_IOS_WITH_MAIN_PROFILE) return device === 'iPad' ? 'mobile' : 'legacy';
  return device === 'iPad' ? 'desktop' : 'mobile';
}

function androidProfile(userAgent: string): ProfileName | undefined {
  if (!/\bAndroid\b/i.test(userAgent)) return undefined;
  const android = majorVersion(userAgent, /\bAndroid (\d+)/i);
  if (android !== undefined && android < FIRST_ANDROID_WITH_MAIN_PROFILE) return 'legacy';
  // Android TV and desktop-mode browsers do not say "Mobile"; tablets neither, and take 1080p too.
  return /\bMobile\b/i.test(userAgent) ? 'mobile' : 'desktop';
}

/**
 * legacy: iPhone/iPod before iOS 5, Android before 4.0, BlackBerry, Windows Phone, Symbian and
 * feature phones; mobile: later phones; desktop: iPads and Android tablets of those later
 * generations, desktop browsers and TVs; unknown or missing: mobile.
 */
export function profileFromUserAgent(userAgent: string | undefined): ProfileName {
  if (userAgent === undefined || userAgent.trim() === '') return 'mobile';
  if (BASELINE_ONLY_DEVICES.test(userAgent)) return 'legacy';
  const apple = appleMobileProfile(userAgent);
  if (apple !== undefined) return apple;
  const android = androidProfile(userAgent);
  if (android !== undefined) return android;
  return DESKTOP_PLATFORMS.test(userAgent) ? 'desktop' : 'mobile';
}
