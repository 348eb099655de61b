/**
 * WAI-ARIA tabs: click or arrow keys (Home/End too) move between tabs, only the selected tab is
 * in the tab order, and each tab shows its panel (aria-controls).
 */
export function wireTabs(list: HTMLElement, onSelect: (tabId: string) => void): (tabId: string) => void {
  const tabs = Array.from(list.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (id: string, focus = false) => {
    for (const t of tabs) {
      const on = t.id === id;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !on;
      if (on && focus) t.focus();
    }
    onSelect(id);
  };
  for (const t of tabs) t.addEventListener("click", () => select(t.id));
  list.addEventListener("keydown", (ev) => {
    const i = tabs.findIndex((t) => t === document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length]!.id, true);
  });
  return (id) => select(id);
}
