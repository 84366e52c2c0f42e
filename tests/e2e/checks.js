// Page checks run inside the browser by tests/e2e: contrast, text size, horizontal overflow and
// line length, all computed from computed styles and layout. Evaluated as a script; defines
// window.papershelfChecks. Each check returns plain data (problems found), never throws on a page.
window.papershelfChecks = (() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  // Any CSS colour as [r, g, b, a] with r, g, b in 0..255 and a in 0..1.
  function parseColor(text) {
    const m = /^rgba?\(([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\)$/.exec(text.trim());
    if (m) {
      let a = m[4] === undefined ? 1 : parseFloat(m[4]);
      if (m[4] && m[4].endsWith("%")) a /= 100;
      return [+m[1], +m[2], +m[3], a];
    }
    if (text === "transparent") return [0, 0, 0, 0];
    // Other syntaxes (color(), oklch(), ...): let the canvas convert them.
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0, 0, 0, 0)";
    ctx.fillStyle = text;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  }

  // `top` (with alpha) painted over the opaque colour `under`.
  function over(top, under) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  }

  function luminance([r, g, b]) {
    const lin = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }

  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  // The canvas colour behind everything: what the browser paints when no element has a background.
  function canvasColor() {
    const probe = document.createElement("div");
    probe.style.cssText = "background: Canvas; position: absolute; width: 0; height: 0;";
    document.documentElement.append(probe);
    const color = parseColor(getComputedStyle(probe).backgroundColor);
    probe.remove();
    return color;
  }

  // The opaque colour behind `el`: its own and its ancestors' backgrounds composited, and the
  // opacity of the elements in between. null when an image or gradient is in the way.
  function background(el) {
    const layers = [];
    let opacity = 1;
    let node = el;
    let base = null;
    for (; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const color = parseColor(style.backgroundColor);
      if (color[3] > 0) layers.push(color);
      if (color[3] >= 1) {
        base = layers.pop();
        break;
      }
      opacity *= parseFloat(style.opacity);
    }
    let color = base || canvasColor();
    for (const layer of layers.reverse()) color = over(layer, color);
    return { color, opacity };
  }

  function describe(el) {
    let out = el.localName;
    if (el.id) out += `#${el.id}`;
    else if (el.classList.length) out += `.${[...el.classList].join(".")}`;
    const parent = el.parentElement && el.parentElement.closest("[id], [class]");
    if (parent && parent !== el) out = `${describe(parent).split(" ").pop()} ${out}`;
    return out;
  }

  function visible(el) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1;
  }

  // Elements that directly hold visible text (text nodes' parents), once each.
  function textElements(root = document.body) {
    const seen = new Set();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.data.trim()) continue;
      if (el.closest("script, style, noscript, template, title, desc, option")) continue;
      if (visible(el)) seen.add(el);
    }
    return [...seen];
  }

  function snippet(el) {
    return (el.textContent || el.placeholder || "").trim().replace(/\s+/g, " ").slice(0, 60);
  }

  function contrastOf(el, colorText) {
    const bg = background(el);
    if (!bg) return null;
    const fg = parseColor(colorText);
    const shown = over([fg[0], fg[1], fg[2], fg[3] * bg.opacity], bg.color);
    return { ratio: ratio(shown, bg.color), fg: shown, bg: bg.color };
  }

  // Every visible text (and form control text, placeholders) with contrast below `min`.
  function contrast(min = 4.5) {
    const problems = [];
    const check = (el, colorText, what) => {
      const result = contrastOf(el, colorText);
      if (!result) {
        problems.push({ element: describe(el), text: snippet(el), what, ratio: null,
                        reason: "background image or gradient: cannot compute" });
      } else if (result.ratio < min) {
        problems.push({ element: describe(el), text: snippet(el), what,
                        ratio: Math.round(result.ratio * 100) / 100,
                        fg: result.fg.slice(0, 3).map(Math.round), bg: result.bg.slice(0, 3).map(Math.round) });
      }
    };
    for (const el of textElements()) {
      const style = getComputedStyle(el);
      check(el, el instanceof SVGElement ? style.fill : style.color, "text");
    }
    for (const el of document.querySelectorAll("input, select, textarea")) {
      if (!visible(el) || ["checkbox", "radio", "hidden"].includes(el.type)) continue;
      check(el, getComputedStyle(el).color, "control");
      if (el.placeholder) check(el, getComputedStyle(el, "::placeholder").color, "placeholder");
    }
    return problems;
  }

  // Rendered font size in CSS px: SVG text is scaled with its viewBox.
  function renderedSize(el) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGGraphicsElement) {
      const m = el.getScreenCTM();
      return m ? size * Math.hypot(m.a, m.b) : size;
    }
    return size;
  }

  // Visible text smaller than `min` px. Superscripts, subscripts and MathML scripts are
  // typographic conventions tied to text of full size, so they are not counted.
  function smallText(min = 16) {
    const problems = [];
    for (const el of textElements()) {
      if (el.closest("sup, sub")) continue;
      const math = el.closest("math");
      if (math && parseFloat(getComputedStyle(math).fontSize) >= min) continue;
      const size = renderedSize(el);
      if (size < min - 0.01) {
        problems.push({ element: describe(el), text: snippet(el), px: Math.round(size * 10) / 10 });
      }
    }
    return problems;
  }

  // Whether the page scrolls sideways, and the elements sticking out of the viewport.
  function overflow() {
    const width = document.documentElement.clientWidth;
    const scrolls = document.documentElement.scrollWidth > width || document.body.scrollWidth > width;
    const culprits = [];
    if (scrolls) {
      for (const el of document.body.querySelectorAll("*")) {
        const rect = el.getBoundingClientRect();
        if (rect.width && rect.right > width + 0.5 && visible(el)) {
          culprits.push({ element: describe(el), right: Math.round(rect.right) });
        }
      }
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, scrolls, culprits: culprits.slice(0, 10) };
  }

  // Characters per line of every block of running text in `selector`: its content width over
  // the average width of a character of its own text in its own font.
  function measure(selector = "main p, main li, main dd", minLength = 40) {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      const text = el.textContent.trim().replace(/\s+/g, " ");
      if (text.length < minLength || !visible(el)) continue;
      const style = getComputedStyle(el);
      ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const sample = text.slice(0, 400);
      const average = ctx.measureText(sample).width / sample.length;
      const width = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      out.push({ element: describe(el), text: text.slice(0, 40), width: Math.round(width),
                 chars: Math.round((width / average) * 10) / 10 });
    }
    return out;
  }

  return { parseColor, ratio, contrast, smallText, overflow, measure, textElements };
})();
