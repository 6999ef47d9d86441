/**
 * The page script of a viewer or diff page. It is embedded as this function's source text
 * (`viewerApp.toString()`), so it must stay self-contained: no imports at run time, no
 * references outside its body. Cassette text is untrusted: every string reaches the DOM as a
 * text node (never innerHTML), and the page's CSP forbids every network request.
 */

import type { Turn, TurnPart } from '../../providers/turns.ts';
import type {
  AgentRow,
  DiffData,
  DiffExchange,
  DiffOp,
  ExchangeRow,
  PageData,
  ProblemRow,
  ToolRow,
  ViewData,
} from '../page-data.ts';

export function viewerApp(): void {
  type Child = Node | string | null | undefined | false;
  type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

  const doc = document;
  const data = JSON.parse(doc.getElementById('rk-data')?.textContent ?? '{}') as PageData;
  const MARK = /\[REDACTED(?::[^\]\s]{1,40})?\]/g;

  function h(tag: string, attrs: Attrs | null, ...children: Child[]): HTMLElement {
    const el = doc.createElement(tag);
    for (const [key, value] of Object.entries(attrs ?? {})) {
      if (value === undefined || value === false) continue;
      if (typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'class') el.className = String(value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === 'string' ? doc.createTextNode(child) : child);
    }
    return el;
  }

  /** Text with redaction markers wrapped in <mark>: still text nodes only. */
  function marked(text: string): DocumentFragment {
    const out = doc.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(MARK)) {
      const at = m.index ?? 0;
      if (at > last) out.append(text.slice(last, at));
      out.append(h('mark', { class: 'redacted', title: 'redacted secret' }, m[0]));
      last = at + m[0].length;
    }
    if (last < text.length) out.append(text.slice(last));
    return out;
  }

  const LIMIT = 200_000;
  function json(value: unknown, label = 'JSON'): HTMLElement {
    const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? 'null');
    const pre = h('pre', { class: 'json', title: label, tabindex: 0 });
    if (text.length <= LIMIT) {
      pre.append(marked(text));
      return pre;
    }
    pre.append(marked(text.slice(0, LIMIT)));
    const more = h(
      'button',
      {
        type: 'button',
        class: 'more',
        onclick: () => {
          pre.textContent = '';
          pre.append(marked(text));
        },
      },
      `Show all ${Math.round(text.length / 1024)} KB`,
    );
    return h('div', null, pre, more);
  }

  function fmtMs(ms: number | null): string {
    if (ms === null) return '—';
    return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
  }
  function fmtCost(cost: number | null, currency = 'USD'): string {
    if (cost === null) return '—';
    const digits = cost !== 0 && Math.abs(cost) < 0.01 ? 5 : 2;
    return currency === 'USD' ? `$${cost.toFixed(digits)}` : `${cost.toFixed(digits)} ${currency}`;
  }
  function fmtTokens(
    t: { input: number; cachedInput: number; cacheWrite: number; output: number } | null,
  ): string {
    if (!t) return '—';
    const cached = t.cachedInput ? ` (+${t.cachedInput} cached)` : '';
    return `${t.input} in${cached} · ${t.output} out`;
  }

  // ---- chunks: decoded on demand --------------------------------------------------------------
  let chunkText: string | null = null;
  const cache = new Map<number, Promise<unknown>>();
  function chunkSource(): Promise<string> {
    return new Promise((resolve) => {
      const go = () => {
        if (chunkText === null) chunkText = doc.getElementById('rk-chunks')?.textContent ?? '';
        resolve(chunkText);
      };
      if (doc.readyState === 'loading')
        doc.addEventListener('DOMContentLoaded', go, { once: true });
      else go();
    });
  }
  function packOf(i: number): number {
    let lo = 0;
    let hi = data.packs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((data.packs[mid] ?? 0) <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  async function load<T>(i: number): Promise<T | null> {
    if (i < 0) return null;
    const p = packOf(i);
    const pack = (await unpack(p)) as unknown[];
    return (pack[i - (data.packs[p] ?? 0)] ?? null) as T;
  }
  function unpack(i: number): Promise<unknown> {
    let hit = cache.get(i);
    if (!hit) {
      hit = (async () => {
        const text = (await chunkSource()).slice(data.offsets[i], data.offsets[i + 1]);
        const bin = atob(text);
        const bytes = new Uint8Array(bin.length);
        for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
        const stream = new Blob([bytes])
          .stream()
          .pipeThrough(new DecompressionStream('deflate-raw'));
        return JSON.parse(await new Response(stream).text());
      })();
      cache.set(i, hit);
    }
    return hit;
  }

  // ---- theme and help -------------------------------------------------------------------------
  const root = doc.documentElement;
  /** Only a choice the reader made is remembered: the system's preference is read afresh. */
  function setTheme(theme: string, remember = false): void {
    root.dataset.theme = theme;
    try {
      if (remember) localStorage.setItem('replaykit-theme', theme);
    } catch {
      // file:// pages may have no storage: the theme then lasts for this visit.
    }
    const button = doc.getElementById('theme');
    if (button) {
      button.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
      button.setAttribute('aria-pressed', String(theme === 'dark'));
    }
  }
  function initialTheme(): string {
    try {
      const saved = localStorage.getItem('replaykit-theme');
      if (saved === 'dark' || saved === 'light') return saved;
    } catch {
      // no storage
    }
    return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  const toggleTheme = () => setTheme(root.dataset.theme === 'dark' ? 'light' : 'dark', true);

  const help = h(
    'div',
    {
      id: 'help',
      class: 'help',
      role: 'dialog',
      'aria-modal': 'false',
      'aria-label': 'Keyboard shortcuts',
      hidden: true,
    },
    h('h2', null, 'Keyboard'),
    h(
      'dl',
      null,
      ...(
        [
          ['j / ↓, k / ↑', 'next / previous row'],
          ['Home / End, PgUp / PgDn', 'first / last row, a page'],
          ['Enter', 'move focus to the details'],
          ['1 2 3 4', 'exchanges, tool calls, agent events, problems'],
          ['r', 'show / hide the raw request JSON'],
          ['s', 'open the stream player'],
          ['space / .', 'play or pause the stream / step one event'],
          ['t', 'light / dark theme'],
          ['?', 'this help; Esc closes it'],
        ] as const
      ).flatMap(([k, v]) => [h('dt', null, h('kbd', null, k)), h('dd', null, v)]),
    ),
    h('button', { type: 'button', onclick: () => (help.hidden = true) }, 'Close'),
  );
  const toggleHelp = () => {
    help.hidden = !help.hidden;
  };

  // ---- virtual list ---------------------------------------------------------------------------
  interface VList {
    el: HTMLElement;
    select(i: number, focus?: boolean): void;
    selected(): number;
    refresh(): void;
    move(delta: number | 'home' | 'end'): void;
  }
  const ROW = 30;
  function virtualList(opts: {
    id: string;
    label: string;
    count: number;
    row: (i: number) => Child[];
    rowClass?: (i: number) => string;
    onSelect: (i: number) => void;
    onEnter?: () => void;
  }): VList {
    const spacer = h('div', { class: 'spacer' });
    const el = h('div', {
      class: 'vlist',
      id: opts.id,
      role: 'listbox',
      tabindex: 0,
      'aria-label': opts.label,
    });
    el.append(spacer);
    spacer.style.height = `${opts.count * ROW}px`;
    let current = opts.count > 0 ? 0 : -1;
    let frame = 0;
    const render = () => {
      frame = 0;
      const top = el.scrollTop;
      const first = Math.max(0, Math.floor(top / ROW) - 8);
      const last = Math.min(opts.count, Math.ceil((top + (el.clientHeight || 600)) / ROW) + 8);
      spacer.textContent = '';
      for (let i = first; i < last; i++) {
        const row = h(
          'div',
          {
            class: `row ${opts.rowClass?.(i) ?? ''}${i === current ? ' selected' : ''}`,
            id: `${opts.id}-${i}`,
            role: 'option',
            'aria-selected': String(i === current),
            onclick: () => api.select(i, true),
          },
          ...opts.row(i),
        );
        row.style.transform = `translateY(${i * ROW}px)`;
        spacer.append(row);
      }
      if (current >= 0 && current >= first && current < last) {
        el.setAttribute('aria-activedescendant', `${opts.id}-${current}`);
      } else el.removeAttribute('aria-activedescendant');
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(render);
    };
    el.addEventListener('scroll', schedule, { passive: true });
    el.addEventListener('keydown', (e) => {
      const page = Math.max(1, Math.floor((el.clientHeight || 600) / ROW) - 1);
      const keys: Record<string, number | 'home' | 'end'> = {
        ArrowDown: 1,
        j: 1,
        ArrowUp: -1,
        k: -1,
        PageDown: page,
        PageUp: -page,
        Home: 'home',
        End: 'end',
      };
      const delta = keys[e.key];
      if (delta !== undefined && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        e.stopPropagation();
        api.move(delta);
      } else if (e.key === 'Enter' && opts.onEnter) {
        e.preventDefault();
        opts.onEnter();
      }
    });
    const api: VList = {
      el,
      selected: () => current,
      select(i, focus) {
        if (opts.count === 0) return;
        current = Math.max(0, Math.min(opts.count - 1, i));
        const y = current * ROW;
        if (y < el.scrollTop) el.scrollTop = y;
        else if (y + ROW > el.scrollTop + el.clientHeight) el.scrollTop = y + ROW - el.clientHeight;
        render();
        if (focus) el.focus({ preventScroll: true });
        opts.onSelect(current);
      },
      move(delta) {
        if (delta === 'home') api.select(0);
        else if (delta === 'end') api.select(opts.count - 1);
        else api.select(current + delta);
      },
      refresh: render,
    };
    requestAnimationFrame(render);
    return api;
  }

  // ---- shared pieces --------------------------------------------------------------------------
  function badge(text: string, kind: string): HTMLElement {
    return h('span', { class: `badge ${kind}` }, text);
  }
  function meta(rows: [string, Child][]): HTMLElement {
    return h(
      'dl',
      { class: 'meta' },
      ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    );
  }
  function section(title: string, ...children: Child[]): HTMLElement {
    return h('section', { class: 'block' }, h('h3', null, title), ...children);
  }
  function raw(label: string, value: () => Promise<unknown>, id?: string): HTMLElement {
    const body = h('div', null);
    const d = h(
      'details',
      { class: 'raw', id },
      h('summary', null, label),
      body,
    ) as HTMLDetailsElement;
    d.addEventListener('toggle', async () => {
      if (d.open && body.childElementCount === 0) body.append(json(await value(), label));
    });
    return d;
  }

  function partView(part: TurnPart, toolByCall: Map<string, ToolRow>, go: Go): HTMLElement {
    switch (part.kind) {
      case 'text':
        return h('div', { class: 'text' }, marked(part.text));
      case 'reasoning':
        return h(
          'details',
          { class: 'reasoning' },
          h('summary', null, 'reasoning'),
          h('div', { class: 'text' }, marked(part.text)),
        );
      case 'tool_call': {
        const pair = part.id ? toolByCall.get(part.id) : undefined;
        return h(
          'div',
          { class: 'tool-call' },
          h(
            'div',
            { class: 'tool-head' },
            badge('tool call', 'tool'),
            h('strong', null, part.name),
            part.id ? h('code', null, part.id) : null,
            pair && pair.result_exchange !== null
              ? linkTo(`result in exchange #${pair.result_exchange}`, () =>
                  go('exchanges', pair.result_exchange!),
                )
              : null,
          ),
          json(part.arguments, `arguments of ${part.name}`),
        );
      }
      case 'tool_result': {
        const pair = part.id ? toolByCall.get(part.id) : undefined;
        return h(
          'div',
          { class: `tool-result${part.is_error ? ' bad' : ''}` },
          h(
            'div',
            { class: 'tool-head' },
            badge(part.is_error ? 'tool error' : 'tool result', part.is_error ? 'error' : 'tool'),
            h('strong', null, part.name ?? pair?.name ?? ''),
            part.id ? h('code', null, part.id) : null,
            pair && pair.call_exchange !== null
              ? linkTo(`called in exchange #${pair.call_exchange}`, () =>
                  go('exchanges', pair.call_exchange!),
                )
              : null,
          ),
          json(part.output, 'tool output'),
        );
      }
      case 'data':
        return h(
          'details',
          { class: 'data' },
          h('summary', null, part.label),
          json(part.value, part.label),
        );
    }
  }

  function turnsView(turns: Turn[], toolByCall: Map<string, ToolRow>, go: Go): HTMLElement {
    if (turns.length === 0)
      return h('p', { class: 'muted' }, 'No conversation in this request body.');
    return h(
      'ol',
      { class: 'turns' },
      ...turns.map((turn) =>
        h(
          'li',
          { class: `turn ${turn.role}` },
          h('div', { class: 'role' }, turn.role),
          ...turn.parts.map((p) => partView(p, toolByCall, go)),
        ),
      ),
    );
  }

  type Go = (tab: string, i: number) => void;
  function linkTo(text: string, go: () => void): HTMLElement {
    return h('button', { type: 'button', class: 'link', onclick: go }, text);
  }

  // ---- stream player --------------------------------------------------------------------------
  interface StreamEventData {
    offset_ms: number;
    event?: string;
    data: unknown;
  }
  function rec(v: unknown): Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : {};
  }
  /** What one event adds to the answer, across the wire formats the providers stream. */
  function deltaOf(e: StreamEventData): { text: string; reasoning: string; bad: boolean } {
    const d = rec(e.data);
    const type = typeof d.type === 'string' ? d.type : (e.event ?? '');
    const out = { text: '', reasoning: '', bad: false };
    out.bad = type === 'error' || type === 'response.failed' || e.event === 'error' || 'error' in d;
    if (type === 'response.output_text.delta' || type === 'response.refusal.delta')
      out.text = String(d.delta ?? '');
    else if (type.startsWith('response.reasoning') && type.endsWith('.delta'))
      out.reasoning = String(d.delta ?? '');
    else if (type === 'content_block_delta') {
      const delta = rec(d.delta);
      if (delta.type === 'text_delta') out.text = String(delta.text ?? '');
      if (delta.type === 'thinking_delta') out.reasoning = String(delta.thinking ?? '');
    } else if (Array.isArray(d.choices)) {
      const delta = rec(rec(d.choices[0]).delta);
      if (typeof delta.content === 'string') out.text = delta.content;
      if (typeof delta.reasoning_content === 'string') out.reasoning = delta.reasoning_content;
    } else if (Array.isArray(d.candidates)) {
      for (const part of (rec(rec(d.candidates[0]).content).parts as unknown[]) ?? []) {
        const p = rec(part);
        if (typeof p.text === 'string') {
          if (p.thought === true) out.reasoning += p.text;
          else out.text += p.text;
        }
      }
    }
    return out;
  }

  let player: { toggle(): void; step(): void } | null = null;
  function streamPlayer(row: ExchangeRow, events: StreamEventData[]): HTMLElement {
    const deltas = events.map(deltaOf);
    let position = 0;
    let timer = 0;
    let speed = 1;
    const text = h('pre', { class: 'assembled', title: 'text so far', tabindex: 0 });
    const reasoning = h('pre', {
      class: 'assembled reasoning-so-far',
      title: 'reasoning so far',
    });
    const where = h('span', { class: 'position', 'aria-live': 'polite' });
    const play = h('button', { type: 'button', class: 'play' }, 'Play');
    const list = virtualList({
      id: `ev${row.n}`,
      label: `stream events of exchange ${row.n}`,
      count: events.length,
      row: (i) => {
        const e = events[i]!;
        const d = rec(e.data);
        return [
          h('span', { class: 'seq' }, String(i)),
          h('span', { class: 'ms' }, `+${Math.round(e.offset_ms)} ms`),
          h(
            'span',
            { class: 'ev' },
            e.event ??
              (typeof d.type === 'string' ? d.type : typeof e.data === 'string' ? e.data : 'data'),
          ),
          h('span', { class: 'preview' }, marked(JSON.stringify(e.data)?.slice(0, 160) ?? '')),
        ];
      },
      rowClass: (i) => `${i < position ? 'played' : 'future'}${deltas[i]!.bad ? ' bad' : ''}`,
      onSelect: (i) => show(i + 1, false),
    });
    const detail = h('div', { class: 'event-detail' });
    function show(to: number, scroll = true): void {
      position = Math.max(0, Math.min(events.length, to));
      text.textContent = '';
      reasoning.textContent = '';
      let t = '';
      let r = '';
      for (let i = 0; i < position; i++) {
        t += deltas[i]!.text;
        r += deltas[i]!.reasoning;
      }
      text.append(marked(t));
      reasoning.append(marked(r));
      reasoning.hidden = r === '';
      where.textContent = `event ${position} of ${events.length}`;
      detail.textContent = '';
      const e = events[position - 1];
      if (e) detail.append(json(e, `event ${position - 1}`));
      if (scroll && position > 0) list.select(position - 1);
      else list.refresh();
    }
    function stop(): void {
      clearTimeout(timer);
      timer = 0;
      play.textContent = 'Play';
      play.setAttribute('aria-pressed', 'false');
    }
    function tick(): void {
      if (position >= events.length) {
        stop();
        return;
      }
      show(position + 1);
      const next = events[position];
      const prev = events[position - 1];
      if (!next || !prev) {
        stop();
        return;
      }
      const wait = speed === 0 ? 0 : Math.max(0, (next.offset_ms - prev.offset_ms) / speed);
      timer = window.setTimeout(tick, Math.min(wait, 5000));
    }
    function toggle(): void {
      if (timer) {
        stop();
        return;
      }
      if (position >= events.length) show(0);
      play.textContent = 'Pause';
      play.setAttribute('aria-pressed', 'true');
      timer = window.setTimeout(tick, 0);
    }
    play.addEventListener('click', toggle);
    const speedSelect = h(
      'select',
      {
        'aria-label': 'playback speed',
        onchange: (e) => (speed = Number((e.target as HTMLSelectElement).value)),
      },
      h('option', { value: '1' }, 'recorded pace'),
      h('option', { value: '4' }, '4× faster'),
      h('option', { value: '20' }, '20× faster'),
      h('option', { value: '0' }, 'no delay'),
    );
    const stepOne = () => {
      stop();
      show(position + 1);
    };
    const jump = (to: number) => {
      stop();
      show(to);
    };
    player = { toggle, step: stepOne };
    show(0);
    return h(
      'div',
      { class: 'player' },
      h(
        'div',
        { class: 'controls' },
        play,
        h('button', { type: 'button', onclick: () => player?.step() }, 'Step'),
        h('button', { type: 'button', onclick: () => jump(0) }, 'Reset'),
        h('button', { type: 'button', onclick: () => jump(events.length) }, 'End'),
        speedSelect,
        where,
      ),
      h('div', { class: 'so-far' }, reasoning, text),
      list.el,
      detail,
    );
  }

  // ---- the viewer page ------------------------------------------------------------------------
  function viewPage(d: ViewData): void {
    const run = d.run;
    const toolByCall = new Map<string, ToolRow>();
    for (const t of d.tools) if (t.call_id) toolByCall.set(t.call_id, t);
    const problemsOf = new Map<number, ProblemRow[]>();
    for (const p of d.problems) {
      if (p.exchange === null) continue;
      problemsOf.set(p.exchange, [...(problemsOf.get(p.exchange) ?? []), p]);
    }
    const synthetic = run.response_source === 'synthetic';
    const header = h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'title' },
        h('h1', null, 'ReplayKit cassette ', h('span', { class: 'file' }, run.file)),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'theme', onclick: toggleTheme }, 'Dark theme'),
          h(
            'button',
            { type: 'button', onclick: toggleHelp, 'aria-keyshortcuts': '?' },
            'Keys (?)',
          ),
        ),
      ),
      synthetic
        ? h(
            'div',
            { class: 'banner synthetic', role: 'note' },
            'SYNTHETIC RUN: these responses were made up by a listener in synthetic mode, not recorded from a provider. Do not treat them as real model output.',
          )
        : null,
      meta([
        ['capture', run.capture],
        ['response source', synthetic ? badge('synthetic', 'error') : run.response_source],
        [
          'redaction',
          `${run.redaction.policy}${run.redaction.pii ? ' + PII' : ''}${run.redaction.warning ? ` (${run.redaction.warning})` : ''}`,
        ],
        ['seal', run.sealed ? run.seal : badge(run.seal, 'warn')],
        ['created', run.created_at ?? '—'],
        ['written by', run.tool],
      ]),
      meta([
        ['exchanges', String(d.totals.exchanges)],
        ['tokens', fmtTokens(d.totals.tokens)],
        [
          'cost',
          h(
            'span',
            null,
            fmtCost(d.totals.cost, d.totals.currency),
            h(
              'span',
              { class: 'muted' },
              ` at prices of ${d.totals.priced_at}${d.totals.unpriced.length ? `; no price for ${d.totals.unpriced.join(', ')}` : ''}`,
            ),
          ),
        ],
        ['problems', d.problems.length ? badge(String(d.problems.length), 'error') : '0'],
      ]),
    );

    const tabs = [
      ['exchanges', `Exchanges (${d.exchanges.length})`],
      ['tools', `Tool calls (${d.tools.length})`],
      ['agents', `Agent events (${d.agents.length})`],
      ['problems', `Problems (${d.problems.length})`],
    ] as const;
    const tablist = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' });
    const listPane = h('div', { class: 'list-pane', role: 'tabpanel', id: 'panel' });
    const detail = h('section', {
      class: 'detail',
      id: 'detail',
      tabindex: 0,
      'aria-label': 'Details',
    });
    const selected: Record<string, number> = {};
    let active = '';
    let list: VList | null = null;

    const go: Go = (tab, i) => {
      selected[tab] = i;
      open(tab, true);
    };

    function open(tab: string, focus = false): void {
      active = tab;
      player = null;
      for (const b of Array.from(tablist.querySelectorAll('[role=tab]'))) {
        const on = b.getAttribute('data-tab') === tab;
        b.setAttribute('aria-selected', String(on));
        b.setAttribute('tabindex', on ? '0' : '-1');
      }
      listPane.setAttribute('aria-labelledby', `tab-${tab}`);
      listPane.textContent = '';
      detail.textContent = '';
      list = makeList(tab);
      listPane.append(list.el);
      if (list.selected() >= 0 || (selected[tab] ?? 0) >= 0) list.select(selected[tab] ?? 0, focus);
      if (listCount(tab) === 0)
        detail.append(h('p', { class: 'muted' }, 'Nothing here in this cassette.'));
    }
    function listCount(tab: string): number {
      return tab === 'exchanges'
        ? d.exchanges.length
        : tab === 'tools'
          ? d.tools.length
          : tab === 'agents'
            ? d.agents.length
            : d.problems.length;
    }

    function flagBadges(row: ExchangeRow): HTMLElement[] {
      return row.flags.map((f) =>
        badge(
          f,
          f === 'redacted'
            ? 'redacted'
            : f === 'synthetic'
              ? 'error'
              : f === 'interrupted'
                ? 'warn'
                : 'error',
        ),
      );
    }

    function makeList(tab: string): VList {
      const focusDetail = () => detail.focus();
      if (tab === 'exchanges') {
        return virtualList({
          id: 'ex',
          label: 'Exchanges',
          count: d.exchanges.length,
          onEnter: focusDetail,
          rowClass: (i) => (d.exchanges[i]!.flags.some((f) => f !== 'redacted') ? 'flagged' : ''),
          row: (i) => {
            const r = d.exchanges[i]!;
            return [
              h('span', { class: 'num' }, `#${r.n}`),
              h('span', { class: 'prov' }, `${r.provider} ${r.endpoint}`),
              h('span', { class: 'model' }, r.model ?? ''),
              h(
                'span',
                { class: `status${r.status !== null && r.status >= 400 ? ' bad' : ''}` },
                r.status === null ? '—' : String(r.status),
              ),
              h('span', { class: 'ms' }, fmtMs(r.latency_ms)),
              h(
                'span',
                { class: 'tok' },
                r.tokens ? `${r.tokens.input + r.tokens.cachedInput}/${r.tokens.output}` : '',
              ),
              h(
                'span',
                { class: 'cost' },
                r.cost === null ? '' : fmtCost(r.cost, d.totals.currency),
              ),
              h('span', { class: 'flags' }, ...flagBadges(r)),
            ];
          },
          onSelect: (i) => {
            selected.exchanges = i;
            void showExchange(d.exchanges[i]!);
          },
        });
      }
      if (tab === 'tools') {
        return virtualList({
          id: 'tl',
          label: 'Tool calls',
          count: d.tools.length,
          onEnter: focusDetail,
          rowClass: (i) => (d.tools[i]!.is_error || d.tools[i]!.result < 0 ? 'flagged' : ''),
          row: (i) => {
            const t = d.tools[i]!;
            return [
              h('span', { class: 'num' }, `#${t.n}`),
              h('span', { class: 'prov' }, t.name),
              t.mcp ? badge('MCP', 'tool') : h('span', { class: 'kind' }, t.kind),
              h(
                'span',
                { class: 'pair' },
                `${t.call_exchange === null ? '?' : `#${t.call_exchange}`} → ${t.result < 0 ? 'no result' : t.result_exchange === null ? 'result' : `#${t.result_exchange}`}`,
              ),
              t.is_error ? badge('error', 'error') : null,
              h('span', { class: 'preview' }, t.preview),
            ];
          },
          onSelect: (i) => {
            selected.tools = i;
            void showTool(d.tools[i]!);
          },
        });
      }
      if (tab === 'agents') {
        return virtualList({
          id: 'ag',
          label: 'Agent events',
          count: d.agents.length,
          onEnter: focusDetail,
          row: (i) => {
            const a = d.agents[i]!;
            return [
              h('span', { class: 'num' }, `#${a.n}`),
              h('span', { class: 'prov' }, a.agent),
              h('span', { class: 'ev' }, a.type),
              h('span', { class: 'ms' }, fmtMs(a.offset_ms)),
              h('span', { class: 'preview' }, a.session ?? ''),
            ];
          },
          onSelect: (i) => {
            selected.agents = i;
            void showAgent(d.agents[i]!);
          },
        });
      }
      return virtualList({
        id: 'pb',
        label: 'Problems',
        count: d.problems.length,
        onEnter: focusDetail,
        rowClass: (i) => (d.problems[i]!.kind === 'redacted' ? '' : 'flagged'),
        row: (i) => {
          const p = d.problems[i]!;
          return [
            badge(
              p.kind,
              p.kind === 'redacted'
                ? 'redacted'
                : p.kind === 'warning' || p.kind === 'interrupted'
                  ? 'warn'
                  : 'error',
            ),
            h('span', { class: 'num' }, p.exchange === null ? '' : `#${p.exchange}`),
            h('span', { class: 'prov' }, p.title),
            h('span', { class: 'preview' }, marked(p.detail)),
          ];
        },
        onSelect: (i) => {
          selected.problems = i;
          showProblem(d.problems[i]!);
        },
      });
    }

    let showing = 0;
    async function showExchange(row: ExchangeRow): Promise<void> {
      const ticket = ++showing;
      player = null;
      detail.textContent = '';
      const problems = problemsOf.get(row.n) ?? [];
      detail.append(
        h('h2', null, `Exchange #${row.n}: ${row.provider} ${row.endpoint}`),
        h('div', { class: 'flags' }, ...flagBadges(row)),
        meta([
          [
            'request',
            `${row.method} ${row.url}${row.transport === 'websocket' ? ' (WebSocket)' : ''}`,
          ],
          ['model', row.model ?? '—'],
          ['status', row.status === null ? 'no response recorded' : String(row.status)],
          ['stream', row.stream ? `${row.stream}, ${row.events} events` : 'not streamed'],
          [
            'latency',
            `${fmtMs(row.latency_ms)}${row.first_event_ms !== null ? ` (first event ${fmtMs(row.first_event_ms)})` : ''}`,
          ],
          ['tokens', fmtTokens(row.tokens)],
          ['cost', fmtCost(row.cost, d.totals.currency)],
        ]),
      );
      if (problems.length) {
        detail.append(
          h(
            'ul',
            { class: 'problems' },
            ...problems.map((p) =>
              h(
                'li',
                { class: `problem ${p.kind}` },
                badge(p.kind, p.kind === 'redacted' ? 'redacted' : 'error'),
                ` ${p.title}: `,
                marked(p.detail),
              ),
            ),
          ),
        );
      }
      const [req, res] = await Promise.all([
        load<{ step: Record<string, unknown>; turns: Turn[] }>(row.request),
        load<{ step: Record<string, unknown> }>(row.response),
      ]);
      if (ticket !== showing) return;
      detail.append(
        section(
          'Conversation',
          req ? turnsView(req.turns, toolByCall, go) : null,
          raw('Raw request JSON', async () => req?.step, 'raw-request'),
        ),
      );
      if (res) {
        const step = res.step;
        const assembled = rec(step.assembled);
        const calls =
          (assembled.tool_calls as
            | { id: string | null; name: string; arguments: unknown }[]
            | undefined) ?? [];
        const answer: Child[] = [];
        if (typeof assembled.reasoning === 'string' && assembled.reasoning) {
          answer.push(
            h(
              'details',
              { class: 'reasoning' },
              h('summary', null, 'reasoning'),
              h('div', { class: 'text' }, marked(assembled.reasoning)),
            ),
          );
        }
        if (typeof assembled.text === 'string' && assembled.text)
          answer.push(h('div', { class: 'text answer' }, marked(assembled.text)));
        for (const call of calls) {
          answer.push(
            partView(
              { kind: 'tool_call', id: call.id, name: call.name, arguments: call.arguments },
              toolByCall,
              go,
            ),
          );
        }
        if (Array.isArray(step.diagnostics)) {
          answer.push(
            h(
              'ul',
              { class: 'problems' },
              ...(step.diagnostics as { message: string }[]).map((x) =>
                h('li', { class: 'problem' }, badge('diagnostic', 'warn'), ` ${x.message}`),
              ),
            ),
          );
        }
        if (Number(step.status) >= 400)
          answer.push(
            h(
              'div',
              { class: 'error-body' },
              h('strong', null, `HTTP ${String(step.status)}`),
              json(step.body ?? step.body_text ?? null, 'error body'),
            ),
          );
        else if (!row.stream && answer.length === 0)
          answer.push(json(step.body ?? step.body_text ?? null, 'response body'));
        if (assembled.stop_reason)
          answer.push(h('p', { class: 'muted' }, `stop reason: ${String(assembled.stop_reason)}`));
        detail.append(
          section(
            'Response',
            ...answer,
            raw('Raw response JSON', async () => step, 'raw-response'),
          ),
        );
      }
      if (row.stream_events >= 0) {
        const body = h('div', null);
        const streamBox = h(
          'details',
          { class: `stream${row.stream !== 'completed' ? ' bad' : ''}`, id: 'stream' },
          h(
            'summary',
            null,
            `Stream: ${row.events} events, ${row.stream}${row.stream === 'interrupted' ? ' (cut short)' : ''}`,
          ),
          body,
        ) as HTMLDetailsElement;
        streamBox.addEventListener('toggle', async () => {
          if (!streamBox.open || body.childElementCount > 0) return;
          body.append(h('p', { class: 'muted' }, 'Loading events…'));
          const events = (await load<StreamEventData[]>(row.stream_events)) ?? [];
          if (ticket !== showing) return;
          body.textContent = '';
          body.append(streamPlayer(row, events));
        });
        detail.append(section('Stream', streamBox));
      }
    }

    async function showTool(t: ToolRow): Promise<void> {
      const ticket = ++showing;
      detail.textContent = '';
      detail.append(
        h('h2', null, `Tool call #${t.n}: ${t.name}`),
        h(
          'div',
          { class: 'flags' },
          t.mcp ? badge('MCP', 'tool') : null,
          t.is_error ? badge('error', 'error') : null,
          t.result < 0 ? badge('no result', 'warn') : null,
        ),
        meta([
          ['call id', t.call_id ?? '—'],
          ['kind', t.kind],
          [
            'called in',
            t.call_exchange === null
              ? '—'
              : linkTo(`exchange #${t.call_exchange}`, () => go('exchanges', t.call_exchange!)),
          ],
          [
            'result in',
            t.result_exchange === null
              ? '—'
              : linkTo(`exchange #${t.result_exchange}`, () => go('exchanges', t.result_exchange!)),
          ],
        ]),
      );
      const [call, result] = await Promise.all([
        load<Record<string, unknown>>(t.call),
        load<Record<string, unknown>>(t.result),
      ]);
      if (ticket !== showing) return;
      if (call) detail.append(section('Arguments', json(call.arguments, 'arguments')));
      if (result)
        detail.append(
          section(t.is_error ? 'Result (error)' : 'Result', json(result.output, 'output')),
        );
    }

    async function showAgent(a: AgentRow): Promise<void> {
      const ticket = ++showing;
      detail.textContent = '';
      detail.append(
        h('h2', null, `Agent event #${a.n}: ${a.agent} ${a.type}`),
        meta([
          ['session', a.session ?? '—'],
          ['at', fmtMs(a.offset_ms)],
          [
            'exchange',
            a.exchange === null
              ? '—'
              : linkTo(`exchange #${a.exchange}`, () => go('exchanges', a.exchange!)),
          ],
        ]),
      );
      const step = await load<Record<string, unknown>>(a.chunk);
      if (ticket !== showing) return;
      detail.append(section('Event', json(step?.event, 'agent event')));
    }

    function showProblem(p: ProblemRow): void {
      ++showing;
      detail.textContent = '';
      detail.append(
        h('h2', null, `${p.kind}: ${p.title}`),
        h('p', { class: 'problem-detail' }, marked(p.detail)),
      );
      if (p.exchange !== null)
        detail.append(linkTo(`Open exchange #${p.exchange}`, () => go('exchanges', p.exchange!)));
    }

    for (const [tab, label] of tabs) {
      tablist.append(
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            id: `tab-${tab}`,
            'data-tab': tab,
            'aria-controls': 'panel',
            onclick: () => open(tab, true),
          },
          label,
        ),
      );
    }
    tablist.addEventListener('keydown', (e) => {
      const order = tabs.map(([t]) => t);
      const at = order.indexOf(active as (typeof order)[number]);
      const next = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : null;
      if (next === null) return;
      e.preventDefault();
      const tab = order[(next + order.length) % order.length]!;
      open(tab);
      doc.getElementById(`tab-${tab}`)?.focus();
    });

    const app = doc.getElementById('app')!;
    app.textContent = '';
    app.append(header, tablist, h('main', { class: 'panes' }, listPane, detail), help);
    setTheme(initialTheme());
    open('exchanges');

    doc.addEventListener('keydown', (e) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
        return;
      const key = e.key;
      if (key === 'Escape') help.hidden = true;
      else if (key === '?') toggleHelp();
      else if (key === 't') toggleTheme();
      else if (key >= '1' && key <= '4') open(tabs[Number(key) - 1]![0], true);
      else if (
        (key === 'j' || key === 'k' || key === 'ArrowDown' || key === 'ArrowUp') &&
        !target.closest('.vlist')
      ) {
        if (target === doc.body || target.closest('.detail') === null)
          list?.move(key === 'j' || key === 'ArrowDown' ? 1 : -1);
        else return;
      } else if (key === 'r') {
        const r = doc.getElementById('raw-request') as HTMLDetailsElement | null;
        if (r) r.open = !r.open;
      } else if (key === 's') {
        const s = doc.getElementById('stream') as HTMLDetailsElement | null;
        if (s) {
          s.open = true;
          s.scrollIntoView({ block: 'nearest' });
        }
      } else if (key === ' ' && player && target.tagName !== 'BUTTON') player.toggle();
      else if (key === '.' && player) player.step();
      else return;
      e.preventDefault();
    });
  }

  // ---- the diff page --------------------------------------------------------------------------
  function opsView(ops: DiffOp[]): HTMLElement {
    return h(
      'div',
      { class: 'text diff-text' },
      ...ops.map(([op, text]) =>
        op === '='
          ? h('span', null, marked(text))
          : h(op === '+' ? 'ins' : 'del', null, marked(text)),
      ),
    );
  }

  function diffPage(d: DiffData): void {
    const delta = (a: number, b: number, f: (x: number) => string) =>
      `${f(a)} → ${f(b)} (${b - a >= 0 ? '+' : '−'}${f(Math.abs(b - a))})`;
    const money = (x: number) => fmtCost(x, d.cost.currency);
    const header = h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'title' },
        h(
          'h1',
          null,
          'ReplayKit diff ',
          h('span', { class: 'file' }, d.a.file),
          ' → ',
          h('span', { class: 'file' }, d.b.file),
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'theme', onclick: toggleTheme }, 'Dark theme'),
          h('button', { type: 'button', onclick: toggleHelp }, 'Keys (?)'),
        ),
      ),
      h(
        'p',
        { class: `verdict ${d.equal ? 'ok' : 'bad'}` },
        d.equal ? 'Same canonical steps.' : 'The cassettes differ.',
      ),
      meta([
        [
          'exchanges',
          `${d.counts.same} same, ${d.counts.changed} changed, ${d.counts.only_b} added, ${d.counts.only_a} removed`,
        ],
        ['tokens', delta(d.tokens.a, d.tokens.b, String)],
        [
          'cost',
          h(
            'span',
            null,
            delta(d.cost.a, d.cost.b, money),
            h('span', { class: 'muted' }, ` at prices of ${d.cost.priced_at}`),
          ),
        ],
      ]),
      d.first
        ? h(
            'div',
            { class: 'first', id: 'first-divergence' },
            h('h2', null, 'First divergence'),
            d.first.path ? h('p', null, 'at ', h('code', { class: 'path' }, d.first.path)) : null,
            h('pre', { class: 'json' }, marked(d.first.message)),
          )
        : null,
    );
    const list = h('ol', { class: 'diff-list', 'aria-label': 'Exchanges, aligned' });
    const label: Record<DiffExchange['status'], string> = {
      same: 'same',
      changed: 'changed',
      only_a: 'removed',
      only_b: 'added',
    };
    d.exchanges.forEach((x, i) => {
      const body = h('div', { class: 'diff-body' });
      const box = h(
        'details',
        {
          class: `diff-ex ${x.status}${d.first && d.first.exchange === x.a && x.a !== null ? ' first-divergence' : ''}`,
          id: `dx-${i}`,
        },
        h(
          'summary',
          null,
          badge(
            label[x.status],
            x.status === 'same'
              ? 'ok'
              : x.status === 'changed'
                ? 'warn'
                : x.status === 'only_b'
                  ? 'tool'
                  : 'error',
          ),
          ` ${x.a === null ? '–' : `#${x.a}`} / ${x.b === null ? '–' : `#${x.b}`} ${x.provider} ${x.endpoint} ${x.model ?? ''}`,
          x.path ? h('code', { class: 'path' }, x.path) : null,
          d.first && d.first.exchange === x.a && x.a !== null
            ? badge('first divergence', 'error')
            : null,
        ),
        body,
      ) as HTMLDetailsElement;
      const fill = () => {
        if (body.childElementCount > 0) return;
        if (x.turns.some((t) => t.status !== 'same')) {
          body.append(
            section(
              'Prompt',
              h(
                'ol',
                { class: 'turns' },
                ...x.turns.map((t) =>
                  h(
                    'li',
                    { class: `turn ${t.role} ${t.status}` },
                    h('div', { class: 'role' }, `${t.role} · ${label[t.status]}`),
                    t.ops ? opsView(t.ops) : h('div', { class: 'text' }, marked(t.b ?? t.a ?? '')),
                  ),
                ),
              ),
            ),
          );
        }
        if (x.tools.length) {
          body.append(
            section(
              'Tool calls',
              ...x.tools.map((t) =>
                h(
                  'div',
                  { class: `tool-change ${t.status}` },
                  badge(
                    t.status,
                    t.status === 'added' ? 'tool' : t.status === 'removed' ? 'error' : 'warn',
                  ),
                  h('strong', null, ` ${t.name}`),
                  t.a !== undefined
                    ? h(
                        'div',
                        null,
                        h('span', { class: 'muted' }, 'before'),
                        json(t.a, 'arguments before'),
                      )
                    : null,
                  t.b !== undefined
                    ? h(
                        'div',
                        null,
                        h('span', { class: 'muted' }, 'after'),
                        json(t.b, 'arguments after'),
                      )
                    : null,
                ),
              ),
            ),
          );
        }
        if (x.answer) body.append(section('Answer', opsView(x.answer.ops)));
        body.append(
          meta([
            ['tokens', delta(x.tokens.a, x.tokens.b, String)],
            [
              'cost',
              x.cost.a === null && x.cost.b === null
                ? '—'
                : delta(x.cost.a ?? 0, x.cost.b ?? 0, money),
            ],
          ]),
        );
      };
      box.addEventListener('toggle', () => box.open && fill());
      if (x.status !== 'same' && i < 50) {
        box.open = true;
        fill();
      }
      list.append(h('li', null, box));
    });
    const app = doc.getElementById('app')!;
    app.textContent = '';
    app.append(
      header,
      h('main', { class: 'diff-main', id: 'detail', tabindex: 0, 'aria-label': 'Exchanges' }, list),
      help,
    );
    setTheme(initialTheme());
    const summaries = () => Array.from(list.querySelectorAll('summary')) as HTMLElement[];
    doc.addEventListener('keydown', (e) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
        return;
      if (e.key === 't') toggleTheme();
      else if (e.key === '?') toggleHelp();
      else if (e.key === 'Escape') help.hidden = true;
      else if (e.key === 'j' || e.key === 'k') {
        const all = summaries();
        const at = all.indexOf(target);
        all[Math.max(0, Math.min(all.length - 1, at + (e.key === 'j' ? 1 : -1)))]?.focus();
      } else return;
      e.preventDefault();
    });
  }

  if (data.kind === 'diff') diffPage(data);
  else viewPage(data);
}
