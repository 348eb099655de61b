// Vite's `?raw` imports (file contents as a string), so edge-unit tests typed for workerd can read
// repository files such as wrangler.toml without node:fs.
declare module "*?raw" {
  const text: string;
  export default text;
}
