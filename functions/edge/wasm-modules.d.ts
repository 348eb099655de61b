// The ORT wasm import: wrangler's default CompiledWasm rule makes it a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
