/**
 * The version that goes into cache keys and responses: the manifest's version plus the first 12 hex
 * digits of the file's sha256. Retrained files that keep the same version string (as a re-run of
 * the pipeline does) still never read features cached for the old files.
 */
export function contentVersion(entry: { readonly version: string; readonly sha256: string }): string {
  return `${entry.version}+${entry.sha256.slice(0, 12)}`;
}
