/*
 * crampbot chat widget: one script tag, no build step, no framework, no third-party requests.
 *
 *   <script src="https://HOST/widget.js" defer
 *           data-api="https://HOST/" data-title="Leg cramp helper" data-accent="#0b5cad"
 *           data-position="right" data-open="false"></script>
 *
 * The script defines <crampbot-widget> (a web component with an open Shadow DOM) and adds one to
 * the page, carrying the script tag's data- attributes. Everything it shows from the server is
 * inserted as text (textContent), never as HTML. Its stylesheet, widget.css, is loaded from the
 * same place as this script, into the shadow root, so page CSS and widget CSS never meet.
 */
(() => {
  "use strict";

  const TAG = "crampbot-widget";
  if (window.customElements.get(TAG)) return; // the script was included twice

  const SCRIPT =
    document.currentScript ||
    Array.from(document.querySelectorAll("script[src]")).find((s) => /\/widget\.js(\?|#|$)/.test(s.src));
  const ASSET_BASE = new URL(".", SCRIPT && SCRIPT.src ? SCRIPT.src : window.location.href);

  const COUNTER_FROM = 0.8; // show the character counter from this share of the limit on
  const TIMEOUT_MS = 25000;
  const MAX_STORED = 100; // messages kept in sessionStorage
  const MAX_FEEDBACK_STORED = 200; // feedback choices kept in localStorage (the newest)
  // title: the pinned alert's heading when expanded; short: its one line when collapsed;
  // inline: the marker in the reply that raised it; alone: a reply that is nothing but the advice.
  const LEVELS = {
    emergency: {
      rank: 2,
      title: "Emergency: call your local emergency number now",
      short: "Emergency: call for help",
      inline: "Emergency advice is pinned at the top of this chat.",
      alone: "Emergency: call your local emergency number now. The advice is pinned at the top of this chat.",
    },
    doctor: {
      rank: 1,
      title: "See a doctor",
      short: "See a doctor soon",
      inline: "Advice to see a doctor is pinned at the top of this chat.",
      alone: "See a doctor soon. The advice is pinned at the top of this chat.",
    },
  };
  const ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    down: "M6 9l6 6 6-6",
    close: "M6 6l12 12M18 6L6 18",
    send: "M4 12l16-8-6 16-2.5-6.5L4 12z",
    clear: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13",
    warn: "M12 3l10 18H2L12 3zM12 10v5M12 18v.01",
    // Feather's thumbs-up and thumbs-down (MIT licence)
    thumbsUp: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
    thumbsDown: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17",
  };
  const WHITESPACE = /\s/;

  // ---------------------------------------------------------------- small helpers

  /** Build an element. Text is always set with textContent; `children` are nodes or strings. */
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  function newSessionId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID(); // secure contexts only
    const bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Text with its http(s) links as anchors: text nodes and <a> elements, never HTML. A link opens
   * in a new tab with no opener and no referrer; punctuation that ends a sentence stays outside it.
   */
  function linkify(text) {
    const nodes = [];
    const pattern = /https?:\/\/[^\s<>"']+/g;
    let last = 0;
    for (const found of text.matchAll(pattern)) {
      const url = found[0].replace(/[.,;:!?)\]]+$/, "");
      if (!isHttpUrl(url)) continue;
      if (found.index > last) nodes.push(text.slice(last, found.index));
      nodes.push(h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }));
      last = found.index + url.length;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  function isHttpUrl(value) {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch (_) {
      return false;
    }
  }

  function str(value) {
    return typeof value === "string" ? value : "";
  }

  /** `text` without the escalation `message`: the API puts it last after a passage, first otherwise. */
  function withoutMessage(text, message) {
    if (!message) return text;
    if (text.startsWith(message)) return text.slice(message.length).trim();
    if (text.endsWith(message)) return text.slice(0, text.length - message.length).trim();
    return text;
  }

  /**
   * What `text` says after `summary`, when the summary is its beginning (spacing aside): "" when the
   * summary is all of it, null when it is not the beginning (then "Show more" shows all of `text`).
   */
  function restAfter(summary, text) {
    let j = 0;
    for (let i = 0; i < summary.length; i++) {
      if (WHITESPACE.test(summary[i])) continue;
      while (j < text.length && WHITESPACE.test(text[j])) j++;
      if (text[j] !== summary[i]) return null;
      j++;
    }
    return text.slice(j).trim();
  }

  /** WCAG relative luminance of an "rgb(...)"/"rgba(...)" string, or null. */
  function luminance(rgb) {
    const m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(rgb || "");
    if (!m) return null;
    const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(l1, l2) {
    return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  }

  class HttpError extends Error {
    constructor(status, detail, retryAfter) {
      super(`HTTP ${status}`);
      this.status = status;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  // ---------------------------------------------------------------- the component

  class CrampbotWidget extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.built = false;
      this.pending = false;
      this.messages = [];
      this.sessionId = null;
      this.unreadReply = null; // the first reply that arrived while the panel was closed
      this.alertOpen = null; // the visitor's expand/collapse of the pinned alert since the last reply
      this.disclosures = 0; // ids for "Show more" regions
      this.feedback = {}; // exchange id -> { helpful, sent, commented, at }: the visitor's choices
      this.feedbackQueue = new Map(); // exchange id -> the promise of its last feedback request
    }

    connectedCallback() {
      if (this.built) return;
      this.built = true;
      this.readConfig();
      this.build();
      this.restore();
      if (this.startOpen) this.open({ focus: false });
      this.loadServerConfig();
    }

    // The server's limits, starter questions and disclaimer (GET /api/config): one source, no copies.
    // Until they arrive (or if they never do) the input has no length limit of its own (the API
    // still checks it) and no starter questions are shown.
    async loadServerConfig() {
      let data;
      try {
        const res = await fetch(this.configUrl, { headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        data = await res.json();
      } catch (err) {
        console.warn(`crampbot: could not read ${this.configUrl} (${err.message || err})`);
        return;
      }
      if (Number.isInteger(data.max_question_chars) && data.max_question_chars > 0) {
        this.maxChars = data.max_question_chars;
        this.input.maxLength = this.maxChars;
      }
      if (Number.isInteger(data.max_comment_chars) && data.max_comment_chars > 0) {
        this.maxComment = data.max_comment_chars;
      }
      if (Array.isArray(data.starter_questions)) {
        this.starters = data.starter_questions.filter((q) => typeof q === "string" && q.trim()).slice(0, 6);
      }
      if (typeof data.disclaimer === "string" && data.disclaimer.trim()) {
        this.note.textContent = `${data.disclaimer.trim()} In an emergency, call your local emergency number.`;
      }
      this.onInput();
      this.renderAll();
    }

    readConfig() {
      const d = this.dataset;
      const api = (d.api || "").trim();
      let base = ASSET_BASE;
      if (api) {
        try {
          base = new URL(api.endsWith("/") ? api : api + "/", window.location.href);
        } catch (_) {
          console.warn(`crampbot: data-api="${api}" is not a valid URL; using ${ASSET_BASE}`);
        }
      }
      this.askUrl = new URL("api/ask", base).href;
      this.feedbackUrl = new URL("api/feedback", base).href;
      this.configUrl = new URL("api/config", base).href;
      this.maxChars = null; // from GET /api/config
      this.maxComment = null; // from GET /api/config
      this.starters = [];
      this.storageKey = `crampbot:v1:${this.askUrl}`;
      this.feedbackKey = `crampbot:v1:feedback:${this.askUrl}`;
      this.heading = (d.title || "").trim() || "crampbot";
      this.position = d.position === "left" ? "left" : "right";
      this.accent = (d.accent || "").trim();
      this.startOpen = d.open === "" || d.open === "true" || d.open === "1";
    }

    // ------------------------------------------------------------ DOM

    build() {
      const root = this.shadowRoot;
      const sheet = h("link", { rel: "stylesheet", href: new URL("widget.css", ASSET_BASE).href });
      // Until widget.css has loaded nothing shows (no flash of unstyled widget); see .root in CSS.
      root.append(h("style", { text: ".root{display:none}" }), sheet);

      this.launcher = h(
        "button",
        {
          type: "button",
          class: "launcher",
          "aria-label": `Open chat: ${this.heading}`,
          "aria-expanded": "false",
          "aria-controls": "panel",
          onclick: () => (this.isOpen ? this.close() : this.open({ focus: true })),
        },
        [icon("chat"), icon("down")],
      );

      this.clearButton = h(
        "button",
        { type: "button", class: "icon-button", "aria-label": "Clear conversation", title: "Clear conversation", onclick: () => this.clear() },
        [icon("clear")],
      );
      this.closeButton = h(
        "button",
        { type: "button", class: "icon-button", "aria-label": "Close chat", title: "Close chat", onclick: () => this.close() },
        [icon("close")],
      );
      const header = h("header", { class: "header" }, [
        h("div", { class: "heading" }, [
          h("h2", { id: "title", text: this.heading }),
          h("p", { class: "subtitle", text: "Answers from health articles" }),
        ]),
        this.clearButton,
        this.closeButton,
      ]);

      this.alertSlot = h("div", { class: "alert-slot" });
      this.log = h("div", {
        class: "log",
        role: "log",
        "aria-live": "polite",
        "aria-relevant": "additions",
        "aria-label": "Conversation",
        tabindex: "0",
      });

      this.input = h("textarea", {
        id: "input",
        class: "input",
        rows: "1",
        placeholder: "Ask about leg cramps…",
        "aria-describedby": "hint counter",
        autocomplete: "off",
        enterkeyhint: "send",
        oninput: () => this.onInput(),
        onkeydown: (e) => this.onInputKey(e),
      });
      this.sendButton = h("button", { type: "submit", class: "send", "aria-label": "Send question" }, [icon("send")]);
      this.counter = h("p", { id: "counter", class: "counter", hidden: true });
      this.announcer = h("p", { class: "sr-only", role: "status" });
      const form = h(
        "form",
        {
          class: "composer",
          onsubmit: (e) => {
            e.preventDefault();
            this.submitInput();
          },
        },
        [
          h("label", { class: "sr-only", for: "input", text: "Your question" }),
          this.input,
          this.sendButton,
          h("p", { id: "hint", class: "sr-only", text: "Enter sends, Shift+Enter starts a new line, Escape closes the chat." }),
        ],
      );
      this.note = h("p", {
        class: "note",
        text: "General information, not medical advice. In an emergency, call your local emergency number.",
      });
      const footer = h("div", { class: "footer" }, [this.counter, this.note]);

      this.panel = h(
        "section",
        {
          id: "panel",
          class: "panel",
          role: "dialog",
          "aria-labelledby": "title",
          hidden: true,
        },
        [header, this.alertSlot, this.log, form, footer],
      );

      this.rootEl = h(
        "div",
        {
          class: "root",
          "data-position": this.position,
          onkeydown: (e) => {
            if (e.key === "Escape" && !e.isComposing && this.isOpen) {
              e.preventDefault();
              this.close();
            }
          },
        },
        [this.panel, this.launcher, this.announcer],
      );
      this.applyAccent();
      root.append(this.rootEl);
    }

    /** data-accent: any CSS colour; text on it is white or near-black, whichever reads (WCAG AA). */
    applyAccent() {
      if (!this.accent) return;
      if (!(window.CSS && CSS.supports("color", this.accent))) {
        console.warn(`crampbot: data-accent="${this.accent}" is not a CSS colour; using the default`);
        return;
      }
      const probe = h("span", { style: `color:${this.accent}` });
      this.shadowRoot.append(probe);
      const lum = luminance(getComputedStyle(probe).color);
      probe.remove();
      if (lum === null) return;
      const onAccent = contrast(1, lum) >= contrast(lum, luminance("rgb(17,17,17)")) ? "#ffffff" : "#111111";
      // Links and chip borders use the accent on white only when it is dark enough to read there.
      const ink = contrast(1, lum) >= 4.5 ? this.accent : "#1f2937";
      this.rootEl.style.setProperty("--cb-accent", this.accent);
      this.rootEl.style.setProperty("--cb-on-accent", onAccent);
      this.rootEl.style.setProperty("--cb-accent-ink", ink);
    }

    // ------------------------------------------------------------ open / close

    get isOpen() {
      return !this.panel.hidden;
    }

    open({ focus }) {
      this.panel.hidden = false;
      this.rootEl.classList.add("is-open");
      this.rootEl.classList.remove("has-unread", "has-unread-alert");
      this.announcer.textContent = "";
      this.launcher.setAttribute("aria-expanded", "true");
      this.launcher.setAttribute("aria-label", `Close chat: ${this.heading}`);
      if (this.unreadReply) this.scrollToReply(this.unreadReply); // its start, as if it had arrived in view
      else this.scrollToEnd();
      this.unreadReply = null;
      if (focus) this.input.focus();
      this.save();
    }

    close() {
      if (!this.isOpen) return;
      const hadFocus = this.shadowRoot.activeElement !== null;
      this.panel.hidden = true;
      this.rootEl.classList.remove("is-open");
      this.launcher.setAttribute("aria-expanded", "false");
      this.launcher.setAttribute("aria-label", `Open chat: ${this.heading}`);
      if (hadFocus) this.launcher.focus();
      this.save();
    }

    // ------------------------------------------------------------ input

    onInput() {
      const el = this.input;
      const max = this.maxChars;
      if (max && el.value.length > max) el.value = el.value.slice(0, max); // maxlength misses some paths
      el.style.height = "auto";
      el.style.height = Math.min(el.scrollHeight, 128) + "px";
      const n = el.value.length;
      const full = max !== null && n >= max;
      if (full && !this.counter.classList.contains("is-full")) {
        this.announcer.textContent = `Character limit reached: ${max}`;
      } else if (!full) {
        this.announcer.textContent = "";
      }
      this.counter.hidden = max === null || n < COUNTER_FROM * max;
      this.counter.classList.toggle("is-full", full);
      this.counter.textContent = full ? `${n} / ${max} characters: the limit` : `${n} / ${max} characters`;
    }

    onInputKey(e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submitInput();
      }
    }

    submitInput() {
      if (this.pending) return;
      const question = this.input.value.trim();
      if (!question) {
        this.input.focus();
        return;
      }
      this.input.value = "";
      this.onInput();
      this.ask(question);
    }

    /** `via`: "suggestion" when the question is a chip the visitor clicked (the store links it). */
    ask(question, via) {
      question = question.trim();
      if (this.maxChars) question = question.slice(0, this.maxChars);
      if (!question || this.pending) return;
      this.push({ role: "user", text: question });
      this.request(question, via);
    }

    // ------------------------------------------------------------ talking to the API

    async request(question, via) {
      this.setPending(true);
      let reply;
      try {
        reply = await this.fetchAnswer(question, via);
      } catch (err) {
        this.setPending(false);
        this.showError(err, question, via);
        return;
      }
      this.setPending(false);
      this.push(reply);
    }

    /** POST `body` as JSON; resolves to the response when it is 2xx, else throws an HttpError. */
    async postJson(url, body) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      let res;
      try {
        res = await fetch(url, {
          method: "POST",
          mode: "cors",
          credentials: "omit",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
      } finally {
        clearTimeout(timer);
      }
      if (!res.ok) {
        let detail = null;
        try {
          detail = (await res.json()).detail;
        } catch (_) {
          /* not JSON: the status says enough */
        }
        throw new HttpError(res.status, detail, Number(res.headers.get("Retry-After")) || null);
      }
      return res;
    }

    async fetchAnswer(question, via) {
      const body = { question, session_id: this.sessionId };
      if (via) body.via = via;
      const res = await this.postJson(this.askUrl, body);
      let data;
      try {
        data = await res.json();
      } catch (_) {
        throw new HttpError(502, "not JSON", null);
      }
      if (!data || typeof data.answer !== "string") throw new HttpError(502, "no answer", null);
      return this.toBotMessage(data);
    }

    /** Keep only the fields the widget shows, as plain strings. */
    toBotMessage(data) {
      const esc = data.escalation;
      const escalation =
        esc && LEVELS[esc.level]
          ? { level: esc.level, message: str(esc.message).trim(), fromEarlier: esc.from_earlier === true }
          : null;
      // The escalation message is shown once, as the pinned alert, not also in the reply.
      const message = escalation ? escalation.message : "";
      const text = withoutMessage(data.answer.trim(), message);
      const summary = withoutMessage(str(data.summary).trim(), message);
      const p = data.passage;
      const passage =
        p && typeof p === "object" && str(p.title).trim()
          ? { title: str(p.title).trim(), source: str(p.source), id: str(p.id) }
          : null;
      const suggestions = Array.isArray(data.suggestions)
        ? data.suggestions.filter((s) => typeof s === "string" && s.trim()).slice(0, 6)
        : [];
      const id = str(data.id) || null;
      const kind = str(data.kind) || null;
      return { role: "bot", id, kind, text, summary, matched: data.matched === true, passage, escalation, suggestions };
    }

    setPending(pending) {
      this.pending = pending;
      this.sendButton.disabled = pending;
      this.log.setAttribute("aria-busy", pending ? "true" : "false");
      if (pending) {
        this.typing = h("div", { class: "msg msg--bot typing" }, [
          h("div", { class: "bubble" }, [
            h("span", { class: "sr-only", text: "crampbot is typing" }),
            h("span", { class: "dot", "aria-hidden": "true" }),
            h("span", { class: "dot", "aria-hidden": "true" }),
            h("span", { class: "dot", "aria-hidden": "true" }),
          ]),
        ]);
        this.log.append(this.typing);
        this.scrollToEnd();
      } else if (this.typing) {
        this.typing.remove();
        this.typing = null;
      }
    }

    showError(err, question, via) {
      let text;
      if (err instanceof HttpError && err.status === 422) {
        const limit = this.maxChars ? `, up to ${this.maxChars} characters` : "";
        text = `crampbot could not read that question. Please write it as plain text${limit}.`;
        if (!this.input.value) {
          this.input.value = question; // let the user edit it
          this.onInput();
        }
      } else if (err instanceof HttpError && err.status === 429) {
        const wait = err.retryAfter ? ` Please wait ${err.retryAfter} seconds,` : " Please wait a moment,";
        text = `Too many questions in a short time.${wait} then try again.`;
      } else if (err instanceof HttpError && err.status >= 500) {
        text = "crampbot had a problem answering. Please try again.";
      } else if (err instanceof HttpError) {
        text = `crampbot could not answer (error ${err.status}). Please try again.`;
      } else if (err && err.name === "AbortError") {
        text = "crampbot took too long to answer. Please try again.";
      } else {
        text = "crampbot cannot be reached. Check your connection, then try again.";
      }
      this.clearError();
      const retry = h("button", {
        type: "button",
        class: "retry",
        text: "Try again",
        onclick: () => {
          this.clearError();
          this.input.focus();
          this.request(question, via);
        },
      });
      this.errorEl = h("div", { class: "msg msg--error", role: "alert" }, [
        h("div", { class: "bubble" }, [h("p", { text }), retry]),
      ]);
      this.log.append(this.errorEl);
      this.scrollToEnd();
    }

    clearError() {
      if (this.errorEl) this.errorEl.remove();
      this.errorEl = null;
    }

    // ------------------------------------------------------------ conversation state

    push(message) {
      this.clearError();
      this.messages.push(message);
      if (this.messages.length > MAX_STORED) this.messages.splice(0, this.messages.length - MAX_STORED);
      const bot = message.role === "bot";
      if (bot) this.alertOpen = null; // each exchange folds the alert back, unless a reply raises it
      const raised = bot && this.alertPlan().raisedAt === this.messages.length - 1;
      this.save();
      this.removeChips();
      const el = this.renderMessage(message, true, raised);
      this.log.append(el);
      if (bot) this.renderAlert({ announce: raised });
      if (bot) this.scrollToReply(el);
      else this.scrollToEnd();
      if (bot && !this.isOpen) this.markUnread(el, raised);
    }

    /** A reply that arrived while the panel was closed (the visitor closed it while waiting). */
    markUnread(el, withAlert) {
      this.unreadReply = this.unreadReply || el;
      this.rootEl.classList.add("has-unread");
      if (withAlert) this.rootEl.classList.add("has-unread-alert");
      const what = this.rootEl.classList.contains("has-unread-alert") ? "new reply with safety advice" : "new reply";
      this.launcher.setAttribute("aria-label", `Open chat: ${this.heading} (${what})`);
      this.announcer.textContent = `${this.heading}: ${what}`;
    }

    clear() {
      this.messages = [];
      this.unreadReply = null;
      this.alertOpen = null;
      this.sessionId = newSessionId();
      this.clearError();
      this.save();
      this.renderAll();
      this.input.focus();
    }

    save() {
      try {
        const state = {
          sessionId: this.sessionId,
          messages: this.messages,
          open: this.isOpen,
          alertOpen: this.alertOpen,
        };
        window.sessionStorage.setItem(this.storageKey, JSON.stringify(state));
      } catch (_) {
        /* storage disabled or full: the conversation just won't survive a reload */
      }
    }

    restore() {
      let state = null;
      try {
        state = JSON.parse(window.sessionStorage.getItem(this.storageKey) || "null");
      } catch (_) {
        state = null;
      }
      this.sessionId = state && typeof state.sessionId === "string" ? state.sessionId : newSessionId();
      this.messages =
        state && Array.isArray(state.messages)
          ? state.messages.filter((m) => m && (m.role === "user" || m.role === "bot") && typeof m.text === "string")
          : [];
      if (state && typeof state.open === "boolean") this.startOpen = state.open; // the user's choice wins
      this.alertOpen = state && typeof state.alertOpen === "boolean" ? state.alertOpen : null;
      this.feedback = this.loadFeedback();
      this.renderAll();
    }

    // ------------------------------------------------------------ rendering

    /** Re-renders never announce the alert again: only a reply that raises it does (push). */
    renderAll() {
      const { raises } = this.alertPlan();
      this.log.replaceChildren();
      this.log.append(this.renderGreeting());
      this.messages.forEach((m, i) =>
        this.log.append(this.renderMessage(m, i === this.messages.length - 1, raises.has(i))),
      );
      this.renderAlert({ announce: false });
      this.scrollToEnd();
    }

    renderGreeting() {
      return h("div", { class: "msg msg--bot greeting" }, [
        h("div", { class: "bubble" }, [
          h("p", { text: "Hi! I answer questions about leg cramps, especially cramps at night, using a set of health articles." }),
          h("p", { text: "What would you like to know?" }),
        ]),
        this.messages.length === 0 && this.starters.length ? this.renderChips(this.starters, "Starter questions") : null,
      ]);
    }

    /** `raised`: this reply raised the pinned alert (it carries the marker pointing to it). */
    renderMessage(m, latest, raised) {
      if (m.role === "user") {
        return h("div", { class: "msg msg--user" }, [
          h("div", { class: "bubble" }, [h("span", { class: "sr-only", text: "You: " }), h("p", { class: "user-text", text: m.text })]),
        ]);
      }
      const bubble = h("div", { class: "bubble" }, [h("span", { class: "sr-only", text: "crampbot: " })]);
      const level = m.escalation && LEVELS[m.escalation.level] ? m.escalation.level : null;
      const alone = !m.text; // the reply was nothing but the escalation advice
      if (level && (raised || alone)) {
        bubble.append(h("p", { class: `flag flag--${level}` }, [icon("warn"), LEVELS[level][alone ? "alone" : "inline"]]));
      }
      bubble.append(...this.renderAnswer(m));
      return h("div", { class: `msg msg--bot${m.matched ? "" : " is-fallback"}` }, [
        bubble,
        h("div", { class: "msg-actions", "data-passage": m.passage ? m.passage.id : false }, [this.renderFeedback(m)]),
        latest && m.suggestions && m.suggestions.length ? this.renderChips(m.suggestions, "Suggested questions") : null,
      ]);
    }

    /**
     * A passage answer shows its summary, then its source, then "Show more" (a disclosure button)
     * revealing the rest below it. Any other reply, or a summary that is the whole answer: all of it.
     */
    renderAnswer(m) {
      const source = m.passage ? this.renderSource(m.passage) : null;
      const summary = str(m.summary);
      const rest = m.passage && summary ? restAfter(summary, m.text) : "";
      if (rest === "") return [...this.renderText(m.text), source].filter(Boolean);
      // rest === null: the summary is not how the answer begins, so "Show more" shows all of it instead
      const id = `more-${++this.disclosures}`;
      const short = h("div", { class: "answer-summary" }, this.renderText(summary));
      const more = h("div", { class: "answer-more", id }, this.renderText(rest === null ? m.text : rest));
      const label = h("span");
      const toggle = h("button", { type: "button", class: "more-toggle", "aria-controls": id }, [label, icon("down")]);
      const show = (expanded) => {
        more.hidden = !expanded;
        short.hidden = expanded && rest === null;
        toggle.setAttribute("aria-expanded", String(expanded));
        label.textContent = expanded ? "Show less" : "Show more";
      };
      toggle.addEventListener("click", () => {
        m.expanded = !m.expanded;
        show(m.expanded);
        this.save();
      });
      show(m.expanded === true);
      return [short, source, toggle, more];
    }

    renderSource(passage) {
      const title = isHttpUrl(passage.source)
        ? h("a", { href: passage.source, target: "_blank", rel: "noopener noreferrer", text: passage.title })
        : h("cite", { text: passage.title });
      return h("p", { class: "source" }, ["From: ", title]);
    }

    /** Plain text -> paragraphs and lists: lines starting with "• " become list items. */
    renderText(text) {
      const nodes = [];
      let list = null;
      let para = null;
      for (const raw of text.split("\n")) {
        const line = raw.trimEnd();
        const bullet = /^\s*•\s*(.*)$/.exec(line);
        if (bullet) {
          para = null;
          if (!list) nodes.push((list = h("ul")));
          list.append(h("li", {}, linkify(bullet[1])));
        } else if (!line.trim()) {
          list = null;
          para = null;
        } else {
          list = null;
          if (para) para.append(h("br"), ...linkify(line));
          else nodes.push((para = h("p", {}, linkify(line))));
        }
      }
      return nodes;
    }

    /** Starter and suggested questions; a click asks it with `via: "suggestion"`. */
    renderChips(questions, label) {
      return h(
        "div",
        { class: "chips", role: "group", "aria-label": label },
        questions.map((q) =>
          h("button", {
            type: "button",
            class: "chip",
            text: q,
            onclick: () => {
              if (this.pending) return;
              this.input.focus(); // the chip is about to disappear; keep focus in the widget
              this.ask(q, "suggestion");
            },
          }),
        ),
      );
    }

    removeChips() {
      this.log.querySelectorAll(".chips").forEach((el) => el.remove());
    }

    // ------------------------------------------------------------ feedback

    /**
     * "Was this helpful?" under a passage answer: two toggle buttons (aria-pressed), sent at once to
     * POST /api/feedback; "Not helpful" also opens an optional comment. Only answers from a passage
     * ask: the bot's own messages (small talk, fallback, not covered) are fixed texts, and the report
     * already lists the questions nothing answered. The choice is kept in localStorage by exchange
     * id, so it survives a reload (the conversation itself is kept in sessionStorage).
     */
    renderFeedback(m) {
      if (!m.id || m.kind !== "answer") return null;
      const id = m.id;
      const n = ++this.disclosures;
      const question = h("span", { class: "feedback-question", id: `feedback-${n}`, text: "Was this helpful?" });
      const thumb = (helpful) =>
        h(
          "button",
          {
            type: "button",
            class: "thumb",
            "aria-label": helpful ? "Helpful" : "Not helpful",
            title: helpful ? "Helpful" : "Not helpful",
            "aria-pressed": "false",
            onclick: () => this.chooseFeedback(box, id, helpful),
          },
          [icon(helpful ? "thumbsUp" : "thumbsDown")],
        );
      const comment = h("textarea", {
        id: `comment-${n}`,
        class: "comment-input",
        rows: "2",
        "aria-describedby": `comment-count-${n}`,
        oninput: () => this.onCommentInput(box),
        onkeydown: (e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            this.sendComment(box, id);
          }
        },
      });
      const form = h(
        "form",
        {
          class: "feedback-comment",
          hidden: true,
          onsubmit: (e) => {
            e.preventDefault();
            this.sendComment(box, id);
          },
        },
        [
          h("label", { for: `comment-${n}`, text: "What was wrong or missing? (optional)" }),
          comment,
          h("div", { class: "comment-row" }, [
            h("p", { class: "comment-count", id: `comment-count-${n}` }),
            h("button", { type: "submit", class: "comment-send", text: "Send comment" }),
          ]),
        ],
      );
      const box = h("div", { class: "feedback", "data-exchange": id }, [
        h("div", { class: "feedback-row", role: "group", "aria-labelledby": `feedback-${n}` }, [
          question,
          thumb(true),
          thumb(false),
        ]),
        h("p", { class: "feedback-status", role: "status" }),
        h("div", { class: "feedback-error" }),
        form,
      ]);
      this.showFeedback(box, this.feedback[id]);
      this.onCommentInput(box);
      const kept = this.feedback[id];
      if (kept && !kept.sent && !this.feedbackQueue.has(id)) {
        this.showFeedbackError(box, null, () => this.sendFeedback(box, id, kept.helpful), false);
      }
      return box;
    }

    /** Pressed states and the comment form, from the kept choice (`choice` undefined: none yet). */
    showFeedback(box, choice) {
      const [up, down] = box.querySelectorAll(".thumb");
      up.setAttribute("aria-pressed", String(!!choice && choice.helpful === true));
      down.setAttribute("aria-pressed", String(!!choice && choice.helpful === false));
      box.querySelector(".feedback-comment").hidden = !choice || choice.helpful !== false || choice.commented === true;
    }

    onCommentInput(box) {
      const input = box.querySelector(".comment-input");
      const count = box.querySelector(".comment-count");
      const max = this.maxComment;
      if (max) {
        input.maxLength = max;
        if (input.value.length > max) input.value = input.value.slice(0, max);
      }
      const length = input.value.length;
      count.hidden = !max;
      count.classList.toggle("is-full", !!max && length >= max);
      count.textContent = max ? `${length} / ${max}` : "";
    }

    chooseFeedback(box, id, helpful) {
      const kept = this.feedback[id];
      // Already said (or on its way): pressing it again sends nothing, and the API has no "undo".
      if (kept && kept.helpful === helpful && (kept.sent || this.feedbackQueue.has(id))) return;
      this.keepFeedback(id, { helpful, sent: false, commented: false });
      this.showFeedback(box, this.feedback[id]);
      this.sendFeedback(box, id, helpful);
      if (!helpful) box.querySelector(".feedback-comment").scrollIntoView({ block: "nearest" });
    }

    sendComment(box, id) {
      const input = box.querySelector(".comment-input");
      const comment = input.value.trim();
      if (!comment) {
        input.focus();
        return;
      }
      this.sendFeedback(box, id, false, comment);
    }

    /** POST /api/feedback; requests for one answer go one after the other, so the last choice wins. */
    sendFeedback(box, id, helpful, comment) {
      box = this.feedbackBox(id) || box; // a "Try again" made before a re-render holds the old one
      box.querySelector(".feedback-status").textContent = "";
      this.clearFeedbackError(box);
      const body = { id, helpful };
      if (comment) body.comment = comment;
      const previous = this.feedbackQueue.get(id) || Promise.resolve();
      const sending = previous.then(async () => {
        let failure = null;
        try {
          await this.postJson(this.feedbackUrl, body);
        } catch (err) {
          failure = err;
        }
        if (this.feedbackQueue.get(id) === sending) this.feedbackQueue.delete(id);
        const live = this.feedbackBox(id) || box; // a re-render (a reload of the config) replaces it
        if (failure) {
          this.showFeedbackError(live, failure, () => this.sendFeedback(live, id, helpful, comment), true);
          return;
        }
        const kept = this.feedback[id];
        if (!kept || kept.helpful !== helpful) return; // the visitor changed their mind meanwhile
        const inForm = live.querySelector(".feedback-comment").contains(this.shadowRoot.activeElement);
        this.keepFeedback(id, { helpful, sent: true, commented: !!comment });
        this.showFeedback(live, this.feedback[id]);
        if (comment) live.querySelector(".comment-input").value = "";
        this.onCommentInput(live);
        live.querySelector(".feedback-status").textContent = comment ? "Thanks for your comment." : "Thanks for your feedback.";
        if (comment && inForm) live.querySelector('.thumb[aria-pressed="true"]').focus(); // its form is gone
      });
      this.feedbackQueue.set(id, sending);
      return sending;
    }

    feedbackBox(id) {
      return Array.from(this.log.querySelectorAll(".feedback")).find((el) => el.dataset.exchange === id) || null;
    }

    /** An error in the widget's error style, under the buttons; the choice stays pressed. */
    showFeedbackError(box, err, retry, announce) {
      let text;
      let canRetry = true;
      if (err === null) {
        text = "Your feedback was not sent.";
      } else if (err instanceof HttpError && err.status === 429) {
        const wait = err.retryAfter ? ` Please wait ${err.retryAfter} seconds,` : " Please wait a moment,";
        text = `Too much feedback in a short time.${wait} then try again.`;
      } else if (err instanceof HttpError && err.status === 404) {
        text = "crampbot no longer has this answer on record, so your feedback could not be saved.";
        canRetry = false;
      } else if (err instanceof HttpError && err.status === 422) {
        const limit = this.maxComment ? ` of up to ${this.maxComment} characters` : "";
        text = `crampbot could not read that feedback. Please write a plain-text comment${limit}.`;
        canRetry = false;
      } else if (err instanceof HttpError) {
        text = "crampbot could not save your feedback right now. Please try again.";
      } else if (err && err.name === "AbortError") {
        text = "crampbot took too long to answer. Please try again.";
      } else {
        text = "crampbot cannot be reached. Check your connection, then try again.";
      }
      const slot = box.querySelector(".feedback-error");
      const button = canRetry
        ? h("button", { type: "button", class: "retry", text: "Try again", onclick: () => retry() })
        : null;
      slot.replaceChildren(
        h("div", { class: "msg--error", role: announce ? "alert" : false }, [h("div", { class: "bubble" }, [h("p", { text }), button])]),
      );
      if (announce) slot.scrollIntoView({ block: "nearest" });
    }

    clearFeedbackError(box) {
      const slot = box.querySelector(".feedback-error");
      const hadFocus = slot.contains(this.shadowRoot.activeElement);
      slot.replaceChildren();
      if (hadFocus) (box.querySelector('.thumb[aria-pressed="true"]') || box.querySelector(".thumb")).focus(); // "Try again"
    }

    keepFeedback(id, choice) {
      this.feedback[id] = { ...choice, at: Date.now() };
      const ids = Object.keys(this.feedback);
      if (ids.length > MAX_FEEDBACK_STORED) {
        ids.sort((a, b) => this.feedback[a].at - this.feedback[b].at);
        for (const old of ids.slice(0, ids.length - MAX_FEEDBACK_STORED)) delete this.feedback[old];
      }
      try {
        window.localStorage.setItem(this.feedbackKey, JSON.stringify(this.feedback));
      } catch (_) {
        /* storage disabled or full: the choice just won't survive a reload */
      }
    }

    /** The kept choices (never a comment's text: it is sent, not kept on the device). */
    loadFeedback() {
      let stored = null;
      try {
        stored = JSON.parse(window.localStorage.getItem(this.feedbackKey) || "null");
      } catch (_) {
        stored = null;
      }
      const choices = {};
      if (!stored || typeof stored !== "object") return choices;
      for (const [id, c] of Object.entries(stored)) {
        if (!c || typeof c.helpful !== "boolean") continue;
        choices[id] = { helpful: c.helpful, sent: c.sent === true, commented: c.commented === true, at: Number(c.at) || 0 };
      }
      return choices;
    }

    /**
     * The pinned alert, from the messages: `top` is the most urgent escalation of the conversation,
     * `raisedAt` the reply that raised it. A reply raises the alert when its escalation is more urgent
     * than the pinned one, or as urgent and new (not `from_earlier`: a red flag said again).
     * `raises` holds every reply that raised it; `collapsed` is true once another reply followed.
     */
    alertPlan() {
      let top = null;
      let raisedAt = -1;
      const raises = new Set();
      this.messages.forEach((m, i) => {
        const esc = m.role === "bot" && m.escalation && LEVELS[m.escalation.level] ? m.escalation : null;
        if (!esc) return;
        const rank = LEVELS[esc.level].rank;
        const pinned = top ? LEVELS[top.level].rank : 0;
        if (rank > pinned || (rank === pinned && !esc.fromEarlier)) {
          top = esc;
          raisedAt = i;
          raises.add(i);
        }
      });
      const collapsed = raisedAt >= 0 && this.messages.slice(raisedAt + 1).some((m) => m.role === "bot");
      return { top, raisedAt, raises, collapsed };
    }

    /**
     * The alert pinned above the log. A reply that raises it (`announce`) inserts a new one, expanded,
     * with role="alert", so screen readers announce it once. After the next exchange it folds to one
     * line (level and a short label) and becomes a plain labelled region: folding, unfolding and
     * re-rendering never announce it again.
     */
    renderAlert({ announce }) {
      const { top, collapsed } = this.alertPlan();
      if (!top) {
        this.alertSlot.replaceChildren();
        return;
      }
      const expanded = this.alertOpen === null ? !collapsed : this.alertOpen;
      let alert = this.alertSlot.firstElementChild;
      if (announce || !alert || alert.dataset.level !== top.level || alert.dataset.message !== top.message) {
        alert = this.buildAlert(top, announce);
        this.showAlert(alert, expanded);
        this.alertSlot.replaceChildren(alert);
      } else {
        this.showAlert(alert, expanded);
      }
    }

    buildAlert(escalation, announce) {
      const level = escalation.level;
      const toggle = h("button", {
        type: "button",
        class: "alert-toggle",
        "aria-controls": "alert-text",
        onclick: () => {
          this.alertOpen = toggle.getAttribute("aria-expanded") !== "true";
          this.showAlert(alert, this.alertOpen);
          this.save();
        },
      });
      const alert = h(
        "div",
        {
          class: `alert alert--${level}`,
          role: announce ? "alert" : "region",
          "aria-labelledby": announce ? false : "alert-title",
          "data-level": level,
          "data-message": escalation.message,
        },
        [
          h("div", { class: "alert-head" }, [
            icon("warn"),
            h("p", { class: "alert-title", id: "alert-title" }, [h("strong")]),
            toggle,
          ]),
          h("p", { class: "alert-text", id: "alert-text", text: escalation.message }),
        ],
      );
      return alert;
    }

    showAlert(alert, expanded) {
      if (!expanded && alert.getAttribute("role") === "alert") {
        // Announced once: from now on a labelled region, so changing it is never read out again.
        alert.setAttribute("role", "region");
        alert.setAttribute("aria-labelledby", "alert-title");
      }
      const level = LEVELS[alert.dataset.level];
      alert.classList.toggle("is-collapsed", !expanded);
      alert.querySelector(".alert-title strong").textContent = expanded ? level.title : level.short;
      alert.querySelector(".alert-text").hidden = !expanded;
      const toggle = alert.querySelector(".alert-toggle");
      toggle.setAttribute("aria-expanded", String(expanded));
      toggle.textContent = expanded ? "Hide details" : "Show details";
    }

    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    /** Show a reply from its start when it is taller than the log, else scroll to the end. */
    scrollToReply(el) {
      const max = this.log.scrollHeight - this.log.clientHeight;
      this.log.scrollTop = Math.min(Math.max(el.offsetTop - 8, 0), max);
    }
  }

  window.customElements.define(TAG, CrampbotWidget);

  function mount() {
    if (document.querySelector(TAG)) return; // the page placed its own <crampbot-widget>
    const widget = document.createElement(TAG);
    if (SCRIPT) for (const [key, value] of Object.entries(SCRIPT.dataset)) widget.dataset[key] = value;
    document.body.append(widget);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
