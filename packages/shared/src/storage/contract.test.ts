import { after, before, describe } from 'node:test';
import { chooseServiceBackend, createBucket, makeTempDir, removeTempDir, startS3 } from '../testing/index.js';
import type { S3Service } from '../testing/index.js';
import { describeStorageContract } from '../testing/storage-contract.js';
import { createFsStorage } from './fs-storage.js';
import { createS3Storage } from './s3-storage.js';

const LIST_PAGE_SIZE = 3;
const DELETE_BATCH_SIZE = 10;
// startS3() runs s3rver unless a container runtime gives us MinIO; s3rver lists in walk order.
const s3ListsInKeyOrder = (await chooseServiceBackend()) === 'containers';

describe('filesystem driver', () => {
  let root = '';
  let count = 0;
  before(async () => {
    root = await makeTempDir('fs-storage');
  });
  after(() => removeTempDir(root));

  describeStorageContract('fs', {
    freshStorage: () => Promise.resolve(createFsStorage({ root: `${root}/${(count += 1)}` })),
    listPageSize: LIST_PAGE_SIZE,
    deleteBatchSize: DELETE_BATCH_SIZE,
    exactKeyOrder: true,
  });
});

describe('S3 driver against a real S3 API server', () => {
  let s3: S3Service | undefined;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3?.stop());

  describeStorageContract('s3', {
    freshStorage: async () => {
      if (s3 === undefined) throw new Error('the S3 server did not start');
      const bucket = await createBucket(s3);
      return createS3Storage({ ...s3, bucket, listPageSize: LIST_PAGE_SIZE, deleteBatchSize: DELETE_BATCH_SIZE });
    },
    listPageSize: LIST_PAGE_SIZE,
    deleteBatchSize: DELETE_BATCH_SIZE,
    exactKeyOrder: s3ListsInKeyOrder,
  });
});
