/** Pushes a built OCI archive to a registry with skopeo (no daemon, no local image store needed). */
import type { Runner } from './buildah.js';

export interface PushOptions {
  /** Skip TLS verification and allow plain HTTP (a registry on loopback or in a test cluster). */
  insecure?: boolean;
  /** `user:password` (or `user:token`) for the registry; default: skopeo's own auth file. */
  creds?: string;
}

/** Thrown when skopeo cannot push: names the reference, says what the registry answered and the fix. */
export class PushError extends Error {
  constructor(
    readonly ref: string,
    readonly reason: string,
  ) {
    super(`--push ${ref}: ${reason}`);
    this.name = 'PushError';
  }
}

export const isPushError = (e: unknown): e is PushError => e instanceof PushError;

// An image reference as registries parse it (the grammar of distribution's reference package):
// optional host[:port]/, lower-case path components, optional :tag and @sha256 digest.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const REFERENCE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** The `docker://` reference skopeo takes; other transports are refused (the flag names a registry). */
export function pushDestination(ref: string): string {
  const bare = ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref;
  if (!REFERENCE.test(bare)) {
    throw new PushError(ref, 'expected a registry reference such as ghcr.io/me/nasflow-trainer:0.1.0 or 127.0.0.1:5000/nasflow/trainer:dev');
  }
  return `docker://${bare}`;
}

/** Checks `--creds` before a build starts, so a typo does not cost a build. */
export function checkCreds(creds: string): void {
  const colon = creds.indexOf(':');
  if (colon <= 0 || colon === creds.length - 1) {
    throw new Error('--creds: expected user:password (or user:token), both parts non-empty; received a value without them');
  }
}

/** The registry keeps the archive's manifest as is, so the pushed digest is the built one. */
export async function pushArchive(r: Runner, archive: string, ref: string, o: PushOptions = {}): Promise<void> {
  const dest = pushDestination(ref);
  if (o.creds) checkCreds(o.creds);
  try {
    await r.run('skopeo', [
      'copy',
      '--preserve-digests',
      ...(o.insecure ? ['--dest-tls-verify=false'] : []),
      ...(o.creds ? ['--dest-creds', o.creds] : []),
      `oci-archive:${archive}`,
      dest,
    ]);
  } catch (err) {
    throw new PushError(ref, explainPushFailure((err as Error).message, o));
  }
}

/**
 * What went wrong, from skopeo's output (its last `msg="…"` is the reason), with the fix for the
 * common cases: no or wrong credentials, nothing listening, plain HTTP or a self-signed certificate.
 */
export function explainPushFailure(output: string, o: PushOptions = {}): string {
  const msgs = [...output.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\"/g, '"'));
  const reason = msgs.at(-1) ?? output.trim().split('\n').at(-1) ?? 'skopeo failed';
  const hint = /unauthorized|authentication required|denied|\b401\b|invalid username\/password/i.test(output)
    ? o.creds
      ? 'the registry refused these credentials: check the user and password/token given to --creds'
      : 'the registry wants credentials: pass --creds user:token (or log in first with `skopeo login <registry>`)'
    : /server gave HTTP response to HTTPS client/.test(output)
      ? 'the registry speaks plain HTTP: add --insecure'
      : /x509|certificate/i.test(output)
        ? "the registry's TLS certificate is not trusted: trust its CA, or add --insecure for a test registry"
        : /connection refused|no such host|i\/o timeout|network is unreachable|dial tcp|connection reset/i.test(output)
          ? 'the registry cannot be reached: check the host and port in the reference and that the registry is running'
          : 'see the reason above';
  return `the push failed: ${reason}\nfix: ${hint}`;
}
