/** Pushes a built OCI archive to a registry with skopeo (no daemon, no local image store needed). */
import type { Runner } from './buildah.js';

export interface PushOptions {
  /** Skip TLS verification (a registry on loopback or in a test cluster). */
  insecure?: boolean;
  /** `user:password` for the registry; default: skopeo's own auth file. */
  creds?: string;
}

/** The registry keeps the archive's manifest as is, so the pushed digest is the built one. */
export async function pushArchive(r: Runner, archive: string, ref: string, o: PushOptions = {}): Promise<void> {
  const dest = ref.startsWith('docker://') ? ref : `docker://${ref}`;
  await r.run('skopeo', [
    'copy',
    '--preserve-digests',
    ...(o.insecure ? ['--dest-tls-verify=false'] : []),
    ...(o.creds ? ['--dest-creds', o.creds] : []),
    `oci-archive:${archive}`,
    dest,
  ]);
}
