/** Typed lookups and element creation for the demo page, so a renamed id fails loudly at start. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; readonly prototype: T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`demo page: #${id} is missing or not a ${type.name}`);
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

export function option(value: string, text: string, selected = false): HTMLOptionElement {
  const o = new Option(text, value, selected, selected);
  return o;
}
