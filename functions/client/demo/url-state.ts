/**
 * The page's state in its address, so a link reproduces what the sender saw: the tab, the sample
 * (or the seed of a scene drawn in the browser), the question and the fusion method. Updated in
 * place (replaceState), so Back still leaves the page instead of stepping through every edit.
 */
export type LinkParams = Readonly<Record<string, string | undefined>>;

export function readLink(search: string = location.search): URLSearchParams {
  return new URLSearchParams(search);
}

/** The page URL with `updates` applied (undefined or "" removes a key). */
export function linkWith(updates: LinkParams, href: string = location.href): string {
  const url = new URL(href);
  for (const [k, v] of Object.entries(updates)) {
    if (v === undefined || v === "") url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  url.hash = "";
  return url.toString();
}

export function updateLink(updates: LinkParams): void {
  const next = linkWith(updates);
  if (next !== location.href) history.replaceState(null, "", next);
}

/** A positive integer parameter, or undefined when absent or malformed. */
export function intParam(params: URLSearchParams, key: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = params.get(key);
  if (raw === null || !/^\d{1,10}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= max ? n : undefined;
}
