/**
 * Which hosts an image URL may name (the SSRF policy's address part). Input is a WHATWG-parsed
 * `URL.hostname`: IPv4 already in canonical dotted form (decimal/hex/octal spellings normalised),
 * IPv6 in brackets, names lower-cased and punycoded.
 *
 * - Names: trailing dots are ignored (`localhost.` is `localhost`); single-label names, and names
 *   under suffixes that never resolve publicly (RFC 6761/6762/8375 and common private ones), are
 *   refused. DNS is not resolved here (docs/security.md says what that leaves open).
 * - IPv4: only public unicast; loopback, private, CGNAT, link-local (cloud metadata), benchmarking,
 *   documentation, 6to4 relay, multicast and reserved ranges are refused.
 * - IPv6: only global unicast (2000::/3) minus documentation, Teredo, ORCHID and 6to4 with a refused
 *   IPv4 inside; everything else (loopback, unspecified, IPv4-mapped/-compatible, NAT64, ULA,
 *   link-local, site-local, multicast, discard) is refused.
 */

const LOCAL_SUFFIXES = [
  "localhost", "local", "internal", "home.arpa", "lan", "home", "corp", "intranet", "private", "localdomain",
  "test", "invalid", "onion", "alt",
];

export function ipv4Blocked(host: string): boolean {
  const m = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return false;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113) // TEST-NET-2, -3
  );
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
export function parseIpv6(text: string): number[] | null {
  let s = text.toLowerCase();
  const v4 = s.match(/^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const o = v4.slice(2).map(Number);
    if (o.some((x) => x > 255)) return null;
    s = `${v4[1]}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

function ipv6Blocked(groups: number[]): boolean {
  const [g0, g1] = [groups[0]!, groups[1]!];
  if ((g0 & 0xe000) !== 0x2000) return true; // not global unicast: ::1, ::, ::ffff:x, 64:ff9b::, fc00::/7, fe80::/10, ff00::/8, ...
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x3fff && g1 < 0x1000) return true; // documentation (3fff::/20)
  if (g0 === 0x2001 && g1 === 0x0000) return true; // Teredo: tunnels to an embedded IPv4
  if (g0 === 0x2001 && g1 >= 0x0010 && g1 <= 0x002f) return true; // ORCHID v1/v2
  if (g0 === 0x2002) {
    // 6to4: the next 32 bits are an IPv4 address.
    const v4 = `${g1 >> 8}.${g1 & 0xff}.${groups[2]! >> 8}.${groups[2]! & 0xff}`;
    return ipv4Blocked(v4);
  }
  return false;
}

/** True when an image URL must not be fetched from this host (see the module comment). */
export function hostBlocked(hostname: string): boolean {
  if (hostname.startsWith("[")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    return groups === null || ipv6Blocked(groups);
  }
  const host = hostname.toLowerCase().replace(/\.+$/, ""); // FQDN spelling: "localhost." is "localhost"
  if (host === "" || !host.includes(".")) return true; // single label: resolved by a local search domain
  if (/^[\d.]+$/.test(host)) return !/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || ipv4Blocked(host);
  return LOCAL_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`));
}
