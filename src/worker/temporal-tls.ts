/**
 * TLS for connections to Temporal from the environment the Helm chart sets: TEMPORAL_TLS=true, or
 * any of TEMPORAL_TLS_CA / TEMPORAL_TLS_CERT (+ TEMPORAL_TLS_KEY) / TEMPORAL_TLS_SERVER_NAME.
 * Shared by the operator, the worker and the CLI so that all three connect the same way.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export function temporalTls(env: NodeJS.ProcessEnv): TLSConfig | undefined {
  const { TEMPORAL_TLS, TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_SERVER_NAME } = env;
  if (TEMPORAL_TLS !== 'true' && !TEMPORAL_TLS_CA && !TEMPORAL_TLS_CERT) return undefined;
  return {
    ...(TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: TEMPORAL_TLS_SERVER_NAME } : {}),
    ...(TEMPORAL_TLS_CA ? { serverRootCACertificate: readFileSync(TEMPORAL_TLS_CA) } : {}),
    ...(TEMPORAL_TLS_CERT && TEMPORAL_TLS_KEY ? { clientCertPair: { crt: readFileSync(TEMPORAL_TLS_CERT), key: readFileSync(TEMPORAL_TLS_KEY) } } : {}),
  };
}
