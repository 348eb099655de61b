// The image-URL host policy, through the same URL parsing the edge uses: every spelling of a local
// name or non-public address is refused; public names, IPv4 and IPv6 literals are allowed.
import { describe, expect, it } from "vitest";
import { hostBlocked, parseIpv6 } from "../../functions/edge/clients/host-policy";

const blocked = (url: string) => hostBlocked(new URL(url).hostname);

describe("host names", () => {
  it.each([
    "http://localhost/", "http://localhost./", "http://localhost../", "http://LOCALHOST./",
    "http://foo.localhost/", "http://foo.localhost./",
    "http://printer.local/", "http://printer.local./",
    "http://metadata.google.internal/", "http://metadata.google.internal./", "http://db.internal/",
    "http://router.home.arpa/", "http://router.home.arpa./",
    "http://nas.lan/", "http://nas.lan./", "http://box.home/", "http://x.corp/", "http://wiki.intranet/", "http://h.localdomain/",
    "http://site.test/", "http://a.invalid/", "http://abc.onion/",
    "http://intranet/", "http://metadata/", "http://intranet./",
  ])("refuses %s", (u) => expect(blocked(u)).toBe(true));
  it.each(["https://example.com/", "https://example.com./", "https://images.example.org/a.png", "https://localhost.example.com/", "https://local.example.com/", "https://xn--bcher-kva.de/"])(
    "allows %s",
    (u) => expect(blocked(u)).toBe(false),
  );
});

describe("IPv4 literals (any spelling the URL parser accepts)", () => {
  it.each([
    "http://127.0.0.1/", "http://127.0.0.1./", "http://2130706433/", "http://0x7f.1/", "http://017700000001/", "http://0/",
    "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/",
    "http://169.254.169.254/", "http://169.254.169.254./", "http://192.0.0.8/", "http://192.0.2.1/", "http://198.18.0.1/",
    "http://198.51.100.7/", "http://203.0.113.9/", "http://224.0.0.1/", "http://255.255.255.255/",
  ])("refuses %s", (u) => expect(blocked(u)).toBe(true));
  it.each(["http://1.1.1.1/", "http://8.8.8.8./", "http://172.32.0.1/", "http://100.128.0.1/", "http://192.0.1.1/"])("allows %s", (u) => expect(blocked(u)).toBe(false));
});

describe("IPv6 literals", () => {
  it.each([
    "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:8.8.8.8]/", "http://[::ffff:7f00:1]/", "http://[::127.0.0.1]/",
    "http://[64:ff9b::a00:1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[febf::1]/", "http://[fec0::1]/",
    "http://[ff02::1]/", "http://[100::1]/", "http://[2001:db8::1]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[2002:7f00:1::1]/", "http://[2002:a00:1::]/", "http://[2001:10::1]/", "http://[3fff::1]/",
  ])("refuses %s", (u) => expect(blocked(u)).toBe(true));
  it.each(["http://[2606:4700:4700::1111]/", "http://[2001:4860:4860::8888]/", "http://[2a00:1450:4001:80b::200e]/", "http://[2002:808:808::1]/"])(
    "allows public %s",
    (u) => expect(blocked(u)).toBe(false),
  );
  it("parses every IPv6 spelling to eight groups", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("2001:db8::")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "g::1", "::1.2.3.256"]) expect(parseIpv6(bad), bad).toBeNull();
  });
});
