/* Contrast of the page as painted, for the browser tests (tests/browser/test_web_contrast.py).

   Loaded into a web edition, it defines window.rgContrast:
   - focusables(scope): marks each element the keyboard reaches (links, buttons, summaries, form
     controls, tabindex ≥ 0) that is shown, inside ``scope`` if given, with data-rg-focus="n";
     returns how many;
   - check(state): for each marked element, in the state the test has forced on it (default,
     hover, focus), the contrast of each of its texts against the background painted under it and,
     in the focus state, its focus ring against what lies on each side of it; returns the failures;
   - texts(selectors): the text check of the elements axe-core left « to review »;
   - overDecorations(): the text check of every text a positioned background (a motif) overlaps,
     which axe-core judges at the text's centre only;
   - ring(selector): the bands of an element's focus ring, to compare a forced focus with a real one;
   - overflow(): the page's width against the screen's, and what sticks out.

   What is painted under a point is read from document.elementsFromPoint (the boxes hit there, in
   the order they are painted), from the text's own element down, or, when the point is not in
   view, from the element's ancestors; their background colours are composed bottom up over the
   white canvas. A background image counts conservatively, with and without it (it may not cover
   the text): a gradient by each of its colours, an SVG by each colour it draws (solid); a raster
   image, whose colours are unknown, is a failure unless an opaque background hides it. A
   positioned box that paints a background (the cover's motif) and overlaps the text without being
   hit where the text is sampled counts the same way, just above the box it shares with the text.
   Thresholds (WCAG 2.2): 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold); the focus
   ring passes when one of its bands, at least 1 px wide, stands out at 3:1 from both its
   neighbours (the element inside, the other band, the ground outside), and no ancestor clips it. */
(function () {
  "use strict";
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const parsed = new Map();

  /* any CSS colour (rgb(), color(srgb …), #hex, a name, color-mix()…) as [r, g, b, a], a in 0..1 */
  function rgba(text) {
    if (parsed.has(text)) return parsed.get(text);
    let out = null;
    if (text && CSS.supports("color", text)) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = text;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      out = d[3] === 0 ? [0, 0, 0, 0] : [d[0], d[1], d[2], d[3] / 255];
    }
    parsed.set(text, out);
    return out;
  }
  function over(top, bottom) {          // ``top`` painted over an opaque ``bottom``
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  function luminance(c) {
    const lin = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  }
  function ratio(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  const hex = c => "#" + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  const rounded = r => Math.round(r * 100) / 100;
  function dedupe(list) {
    const seen = new Map();
    for (const c of list) seen.set(c.slice(0, 3).map(Math.round).join(","), c);
    return [...seen.values()].slice(0, 64);
  }

  /* the colours a background image may paint, drawn solid (the worst case): [colours], or null
     for a raster image */
  function imageColours(image) {
    if (!image || image === "none") return [];
    const colours = [];
    let raster = false;
    for (const m of image.matchAll(/(?:repeating-)?(?:linear|radial|conic)-gradient\(((?:[^()]|\([^()]*\))*)\)|url\(\s*"((?:[^"\\]|\\.)*)"\s*\)/g)) {
      if (m[1] !== undefined) {
        for (const c of m[1].matchAll(/(?:rgba?|color|hsla?|oklch|oklab|lab|lch)\([^()]*\)|#[0-9a-f]{3,8}\b/gi)) colours.push(c[0]);
        continue;
      }
      const svg = m[2].replace(/\\(.)/g, "$1").match(/^data:image\/svg\+xml(;base64)?,(.*)$/s);
      if (!svg) { raster = true; continue; }
      const body = svg[1] ? atob(svg[2]) : decodeURIComponent(svg[2]);
      for (const c of body.matchAll(/(?:fill|stroke|stop-color|color)\s*[=:]\s*["']?\s*((?:rgba?|hsla?)\([^()]*\)|#[0-9a-f]{3,8}\b|[a-z]+)/gi)) {
        if (!/^(none|currentcolor|inherit|transparent|url)$/i.test(c[1])) colours.push(c[1]);
      }
    }
    if (raster) return null;
    return colours.map(rgba).filter(c => c && c[3] > 0).map(c => c.slice(0, 3).concat([1]));
  }

  let hiddenCache = new Map();
  function hidden(el) {
    if (!el || el.nodeType !== 1) return false;
    if (hiddenCache.has(el)) return hiddenCache.get(el);
    const cs = getComputedStyle(el);
    const out = cs.display === "none" || cs.visibility === "hidden" || cs.visibility === "collapse"
      || el.classList.contains("visually-hidden") || cs.clipPath === "inset(50%)"
      || (cs.position === "absolute" && cs.clip === "rect(0px, 0px, 0px, 0px)") || hidden(el.parentElement);
    hiddenCache.set(el, out);
    return out;
  }

  /* positioned boxes that paint a background: they may lie under a text without being hit where
     it is sampled (pointer-events: none, or between the points) */
  let decorations = null;
  function paintedDecorations() {
    if (decorations) return decorations;
    decorations = [];
    for (const el of document.querySelectorAll("body *")) {
      const cs = getComputedStyle(el);
      if (cs.position !== "absolute" && cs.position !== "fixed") continue;
      const colour = rgba(cs.backgroundColor);
      const images = imageColours(cs.backgroundImage);
      if ((!colour || colour[3] === 0) && images && images.length === 0) continue;
      if (!hidden(el)) decorations.push(el);
    }
    return decorations;
  }
  const intersects = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  function reset() {
    decorations = null;
    hiddenCache = new Map();
  }

  /* the colours painted by the boxes of ``stack`` (top first), bottom up over the white canvas:
     [[r, g, b, 1]…], or {raster: element} when an image of unknown colours shows */
  function compose(stack, rect) {
    const above = new Map(stack.map(n => [n, []]));
    for (const d of paintedDecorations()) {
      if (stack.includes(d) || d.contains(stack[0]) || !intersects(d.getBoundingClientRect(), rect)) continue;
      const shared = stack.find(n => n.contains(d));
      if (shared) above.get(shared).push(d);
    }
    let candidates = [[255, 255, 255, 1]];
    let raster = null;
    const paint = (el, partial) => {    // partial: a decoration, which may not cover the text
      const cs = getComputedStyle(el);
      const colour = rgba(cs.backgroundColor);
      if (partial) { if (colour && colour[3] > 0) candidates = dedupe(candidates.concat(candidates.map(c => over(colour, c)))); }
      else if (colour && colour[3] === 1) { candidates = [colour]; raster = null; }   // what is below no longer shows
      else if (colour && colour[3] > 0) candidates = candidates.map(c => over(colour, c));
      const images = imageColours(cs.backgroundImage);
      if (images === null) raster = el;
      else for (const i of images) candidates = dedupe(candidates.concat(candidates.map(c => over(i, c))));
    };
    for (let i = stack.length - 1; i >= 0; i--) {
      paint(stack[i], false);
      for (const d of above.get(stack[i])) paint(d, true);
    }
    return raster ? {raster} : candidates;
  }

  /* every colour painted at ``points`` under ``el`` (``el`` included), or, with ``outside``,
     everything painted there; from el's ancestors when no point is in view */
  function backgrounds(el, rect, points, outside = false) {
    let colours = [];
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const list = document.elementsFromPoint(x, y).filter(n => !hidden(n));
      let start = outside ? 0 : list.indexOf(el);
      if (start < 0 && getComputedStyle(el).pointerEvents !== "none") continue;   // not shown there: clipped, or covered
      if (start < 0) start = list.findIndex(n => n.contains(el));   // not hit (pointer-events: none): from its ancestor
      if (start < 0) continue;
      const got = compose(list.slice(start), rect);
      if (got.raster) return got;
      colours = colours.concat(got);
    }
    if (!colours.length) {
      const chain = [];
      for (let n = outside ? el.parentElement : el; n && n.nodeType === 1; n = n.parentElement) chain.push(n);
      return compose(chain, rect);
    }
    return dedupe(colours);
  }

  /* the padding box of each ancestor that clips (overflow other than visible), nearest first */
  function clips(el) {
    const out = [];
    for (let n = el.parentElement; n && n !== document.body && n !== document.documentElement; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
      const b = n.getBoundingClientRect();
      const left = b.left + n.clientLeft, top = b.top + n.clientTop;
      out.push({box: n, left, top, right: left + n.clientWidth, bottom: top + n.clientHeight});
    }
    return out;
  }
  /* as a browser shows an element that takes the focus: centred, when it is not wholly in view */
  function show(el) {
    const b = el.getBoundingClientRect();
    const views = [{left: 0, top: 0, right: innerWidth, bottom: innerHeight}, ...clips(el)];
    if (views.some(v => b.left < v.left - 0.5 || b.top < v.top - 0.5 || b.right > v.right + 0.5 || b.bottom > v.bottom + 0.5))
      el.scrollIntoView({block: "center", inline: "center"});
  }

  function describe(el) {
    const text = (el.innerText || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 60);
    let where = el.tagName.toLowerCase();
    if (el.id) where += "#" + el.id;
    else if (el.classList.length) where += "." + [...el.classList].join(".");
    const section = el.closest("section[id], header, footer, nav");
    return `${where}${section && section !== el ? " (dans " + (section.id ? "#" + section.id : section.tagName.toLowerCase()) + ")" : ""}`
      + (text ? ` « ${text} »` : "");
  }

  /* the shown text of ``el`` (its own text nodes only unless ``deep``): element that styles it → line boxes */
  function texts(el, deep) {
    const out = new Map();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.data.trim()) continue;
      const parent = t.parentElement;
      if ((!deep && parent !== el) || parent.closest("svg, script, style") || hidden(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;
      if (!out.has(parent)) out.set(parent, []);
      out.get(parent).push(...rects);
    }
    return out;
  }
  const unite = rects => rects.reduce((a, r) => ({left: Math.min(a.left, r.left), top: Math.min(a.top, r.top),
                                                  right: Math.max(a.right, r.right), bottom: Math.max(a.bottom, r.bottom)}),
                                      {left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity});
  const centre = r => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  const along = r => [centre(r), [r.left + 2, (r.top + r.bottom) / 2], [r.right - 2, (r.top + r.bottom) / 2]];

  function textFailures(el, state, deep = true) {
    const failures = [];
    for (const [styled, rects] of texts(el, deep)) {
      const cs = getComputedStyle(styled);
      let colour = rgba(cs.color);
      if (!colour) { failures.push({state, element: describe(el), problem: `couleur illisible « ${cs.color} »`}); continue; }
      let opacity = 1;
      for (let n = styled; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
      colour = colour.slice(0, 3).concat([colour[3] * opacity]);
      const size = parseFloat(cs.fontSize);
      const needed = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight, 10) >= 700) ? 3 : 4.5;
      const under = backgrounds(styled, unite(rects), rects.flatMap(along));
      if (under.raster) {
        failures.push({state, element: describe(el), problem: `texte sur une image matricielle (${describe(under.raster)}) : contraste incalculable`});
        continue;
      }
      let worst = null;
      for (const bg of under) {
        const r = ratio(over(colour, bg), bg);
        if (!worst || r < worst.ratio) worst = {ratio: r, bg};
      }
      if (worst.ratio < needed) {
        failures.push({state, element: describe(el), text: styled.innerText.replace(/\s+/g, " ").trim().slice(0, 40),
                       ratio: rounded(worst.ratio), needed, colour: hex(colour), background: hex(worst.bg),
                       size: `${size}px/${cs.fontWeight}`});
      }
    }
    return failures;
  }

  /* the focus ring of ``el``, from its edge outwards: [{from, to, colour}] (colour null: the ground) */
  function ring(el) {
    const cs = getComputedStyle(el);
    const shadows = [];
    if (cs.boxShadow && cs.boxShadow !== "none") {
      for (const s of cs.boxShadow.split(/,(?![^()]*\))/)) {
        const colour = s.match(/(?:rgba?|color)\([^()]*\)|#[0-9a-f]{3,8}/i);
        if (/\binset\b/.test(s) || !colour) continue;
        const [x = 0, y = 0, , spread = 0] = s.replace(colour[0], "").trim().split(/\s+/).map(parseFloat);
        if (spread > 0 && !x && !y) shadows.push({spread, colour: rgba(colour[0])});
      }
    }
    const width = cs.outlineStyle !== "none" ? parseFloat(cs.outlineWidth) : 0;
    const outline = width > 0 ? {from: parseFloat(cs.outlineOffset), to: parseFloat(cs.outlineOffset) + width,
                                 colour: rgba(cs.outlineColor)} : null;
    const reach = Math.max(outline ? outline.to : 0, ...shadows.map(s => s.spread), 0);
    const bands = [];
    for (let d = 0; d < reach; d += 0.5) {          // what is painted at distance d outside the border box
      let colour = null;
      if (outline && d >= outline.from && d < outline.to) colour = outline.colour;
      else { const s = shadows.find(s => s.spread > d); if (s) colour = s.colour; }
      if (colour && colour[3] === 0) colour = null;
      const key = colour ? colour.join(",") : "ground";
      const last = bands[bands.length - 1];
      if (last && last.key === key) last.to = d + 0.5;
      else bands.push({key, from: d, to: d + 0.5, colour});
    }
    return bands;
  }

  function focusFailure(el) {
    const fail = extra => ({state: "focus", element: describe(el), ...extra});
    const bands = ring(el);
    if (!bands.some(b => b.colour)) return fail({problem: "aucun indicateur de focus (ni outline ni box-shadow)"});
    const box = el.getBoundingClientRect();
    const drawn = bands[bands.length - 1].to;
    for (const clip of clips(el)) {
      const cut = ["left", "top"].filter(k => box[k] - drawn < clip[k] - 0.5)
        .concat(["right", "bottom"].filter(k => box[k] + drawn > clip[k] + 0.5));
      if (cut.length) return fail({problem: `anneau de focus coupé (${cut.join(", ")}) par ${describe(clip.box).split(" «")[0]}`});
    }
    const reach = drawn + 1;
    const around = {left: box.left - reach, top: box.top - reach, right: box.right + reach, bottom: box.bottom + reach};
    const [x, y] = centre(box);
    const ground = backgrounds(el, around, [[x, around.top], [x, around.bottom - 0.5], [around.left, y],
                                            [around.right - 0.5, y]], true);
    const inside = backgrounds(el, box, [[x, y]]);
    if (ground.raster || inside.raster) return fail({problem: "anneau de focus sur une image matricielle"});
    const layers = [inside, ...bands.map(b => b.colour ? ground.map(g => over(b.colour, g)) : ground), ground];
    const worst = (a, b) => Math.min(...a.flatMap(p => b.map(q => ratio(p, q))));
    let best = 0;
    bands.forEach((b, i) => {
      if (b.colour && b.to - b.from >= 1)
        best = Math.max(best, Math.min(worst(layers[i + 1], layers[i]), worst(layers[i + 1], layers[i + 2])));
    });
    if (best >= 3) return null;
    return fail({ratio: rounded(best), needed: 3, ring: bands.map(b => `${b.from}-${b.to} px ${b.colour ? hex(b.colour) : "fond"}`).join(", "),
                 inside: inside.map(hex).join(" ou "), ground: ground.map(hex).join(" ou ")});
  }

  window.rgContrast = {
    focusables(scope = "") {
      reset();
      for (const el of document.querySelectorAll("[data-rg-focus]")) el.removeAttribute("data-rg-focus");
      const selector = ["a[href]", "button", "summary", "input", "select", "textarea", "[tabindex]"]
        .map(s => `${scope} ${s}`.trim()).join(", ");
      let n = 0;
      for (const el of document.querySelectorAll(selector)) {
        if (el.tabIndex < 0 || el.disabled || el.closest("[inert]") || hidden(el)) continue;
        if (el.tagName === "SUMMARY" && el.parentElement.tagName !== "DETAILS") continue;
        const box = el.getBoundingClientRect();
        if (box.width || box.height) el.setAttribute("data-rg-focus", String(n++));
      }
      return n;
    },
    check(state) {
      reset();
      const failures = [];
      for (const el of document.querySelectorAll("[data-rg-focus]")) {
        show(el);
        failures.push(...textFailures(el, state));
        if (state === "focus") { const f = focusFailure(el); if (f) failures.push(f); }
      }
      return failures;
    },
    texts(selectors) {
      reset();
      return selectors.flatMap(selector => {
        const el = document.querySelector(selector);
        if (!el) return [{element: selector, problem: "élément introuvable"}];
        show(el);
        return textFailures(el, "défaut", false);
      });
    },
    overDecorations() {        // every text that a positioned background (a motif) may lie under
      reset();
      const boxes = paintedDecorations().map(d => d.getBoundingClientRect());
      const styled = new Set();
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!t.data.trim() || styled.has(t.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(t);
        if ([...range.getClientRects()].some(r => boxes.some(b => intersects(b, r)))) styled.add(t.parentElement);
      }
      return [...styled].filter(el => !hidden(el)).flatMap(el => { show(el); return textFailures(el, "défaut", false); });
    },
    ring(selector) {
      return ring(document.querySelector(selector)).map(b => [b.from, b.to, b.colour ? hex(b.colour) : null]);
    },
    overflow() {
      const width = document.documentElement.clientWidth;
      const out = [];
      for (const el of document.querySelectorAll("body *")) {
        if (el.closest(".table-scroll, .visually-hidden, svg")) continue;     // a table scrolls in its own box
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 0.5) out.push(describe(el) + ` : ${Math.round(box.right - width)} px de trop`);
      }
      return {scroll: document.documentElement.scrollWidth, width, culprits: out.slice(0, 10)};
    },
  };
})();
