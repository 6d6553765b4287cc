/**
 * Prints one object (a path, file:// or s3:// URI) to stdout: the synchronous s3:// read of
 * ./table-source.ts runs this as a child process. Exit 1 with the reason on stderr.
 */
import { getText, openUri } from '../store/index.js';

const uri = process.argv[2];
if (!uri) {
  console.error('usage: fetch-object.js URI');
  process.exit(1);
}
const opened = openUri(uri, process.env);
try {
  process.stdout.write(await getText(opened.store, opened.key));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  opened.close();
}
