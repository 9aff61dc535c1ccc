export { startRedis, startS3, startServices, chooseServiceBackend, parseServiceBackend } from './services.js';
export type { ServiceBackend, ServiceRequest, Services } from './services.js';
export type { RedisService, S3Service } from './types.js';
export { createBucket, uniqueBucketName } from './buckets.js';
export { makeTempDir, removeTempDir } from './temp-dir.js';
export { listChildProcesses } from './process-table.js';
export type { ProcessEntry } from './process-table.js';
export { waitFor } from './wait.js';
export {
  SAMPLE_MEDIA_OUTCOMES, SAMPLE_MEDIA_RATE_EXEMPTIONS, sampleMediaDirectory, sampleMediaFile, sampleMediaOutcome, sampleMediaRateExemption, type SampleMediaOutcome,
} from './sample-media.js';
export { checkFuzz, DEFAULT_FUZZ_SEED, fuzzRuns, fuzzSeed, withDeadline, type FuzzBudget } from './fuzz.js';
