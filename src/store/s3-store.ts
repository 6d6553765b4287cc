/**
 * Object store over an S3 bucket (AWS SDK v3). S3 makes a PutObject or a completed multipart
 * upload visible all at once, so atomicity needs no temporary key; large bodies go through
 * `@aws-sdk/lib-storage`'s multipart Upload, which only publishes on CompleteMultipartUpload.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectNotFoundError, checkKey, toBytes, type ObjectStore } from './object-store.js';

/** Bodies above this size are uploaded in parts (S3 caps a single PUT at 5 GiB; parts also retry). */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;

export class S3Store implements ObjectStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  describe(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      if (!out.Body) throw new Error(`S3 returned no body for ${this.describe(key)}`);
      return await out.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(this.describe(key));
      throw err;
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const body = toBytes(data);
    const params = { Bucket: this.bucket, Key: checkKey(key), Body: body };
    if (body.byteLength <= MULTIPART_THRESHOLD) {
      await this.client.send(new PutObjectCommand(params));
      return;
    }
    await new Upload({ client: this.client, params, partSize: MULTIPART_THRESHOLD, leavePartsOnError: false }).done();
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const item of out.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** The environment variables the S3 client reads (passed in, so only entry points touch process.env). */
export interface S3Env {
  [name: string]: string | undefined;
  /** Custom endpoint (MinIO, versitygw, Ceph). Default: AWS's regional endpoint. */
  NASFLOW_S3_ENDPOINT?: string;
  AWS_REGION?: string;
  AWS_DEFAULT_REGION?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_SESSION_TOKEN?: string;
}

/**
 * An S3 client configured from the standard AWS variables plus `NASFLOW_S3_ENDPOINT`. Without
 * explicit keys it falls back to the SDK's default chain (shared credentials file from a mounted
 * secret, web identity, instance metadata).
 */
export function s3ClientFromEnv(env: S3Env): S3Client {
  const config: S3ClientConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Path-style because MinIO/versitygw on loopback have no per-bucket DNS names.
    forcePathStyle: true,
    // S3-compatible servers reject or mis-verify the SDK's default CRC32 trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (env.NASFLOW_S3_ENDPOINT) config.endpoint = env.NASFLOW_S3_ENDPOINT;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    };
  }
  return new S3Client(config);
}
