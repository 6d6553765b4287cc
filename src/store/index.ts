/** Public surface of the object store. */
export * from './object-store.js';
export { LocalStore, TEMP_PREFIX } from './local-store.js';
export { S3Store, s3ClientFromEnv, type S3Env } from './s3-store.js';
export * from './uri.js';
export * as layout from '../api/store-layout.js';
