// SPDX-License-Identifier: GPL-3.0-or-later
// Suda's web page: an IRC client over WebSocket (IRCv3 subprotocol
// text.ircv3.net, one line per message), written for this project with no
// framework and nothing fetched from elsewhere.
"use strict";

(function () {
  // ---- translation: catalog.js is made from po/ at build time -------------
  const catalogs = window.SUDA_CATALOGS || {};
  const language = (navigator.languages || [navigator.language || "en"])
    .map((tag) => tag.toLowerCase().split("-")[0])
    .find((tag) => tag === "en" || catalogs[tag]) || "en";
  const catalog = catalogs[language] || {};
  const _ = (text) => catalog[text] || text;
  const format = (text, ...args) => text.replace(/%(\d)/g, (m, i) => String(args[i - 1]));
  document.documentElement.lang = language;

  const TEXTS = {
    nickLabel: _("Your name"),
    join: _("Join"),
    leave: _("Leave"),
    messageLabel: _("Message"),
    send: _("Send"),
  };

  // ---- state ---------------------------------------------------------------
  const MAX_LINES = 2000;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 60000;
  const WANTED_CAPS = ["server-time", "message-tags", "batch", "multi-prefix", "away-notify",
    "echo-message"];

  const config = { room: "#lobby", name: "Suda" };
  let socket = null;
  let nick = "";
  let joined = false;
  let leaving = false;
  let backoff = BACKOFF_FIRST_MS;
  let reconnecting = false;     // the old session may still hold the name
  let retryTimer = 0;
  let lastDay = "";
  const caps = new Set();
  const members = new Map();     // casefolded nick → { nick, prefix }
  const seenIds = new Set();     // msgid of every line shown: replays add nothing twice
  const $ = (id) => document.getElementById(id);

  // ---- IRC lines -------------------------------------------------------------
  function unescapeTag(value) {
    return value.replace(/\\(.)/g, (m, c) => ({ ":": ";", s: " ", r: "\r", n: "\n" }[c] ?? c));
  }

  // "@tags :source COMMAND params… :trailing" → an object; null when empty.
  function parseLine(line) {
    let rest = line.replace(/[\r\n]+$/, "");
    const message = { tags: {}, source: "", command: "", params: [] };
    if (rest.startsWith("@")) {
      const space = rest.indexOf(" ");
      for (const tag of rest.slice(1, space < 0 ? undefined : space).split(";")) {
        const eq = tag.indexOf("=");
        if (eq < 0) message.tags[tag] = "";
        else message.tags[tag.slice(0, eq)] = unescapeTag(tag.slice(eq + 1));
      }
      rest = space < 0 ? "" : rest.slice(space + 1).trimStart();
    }
    if (rest.startsWith(":")) {
      const space = rest.indexOf(" ");
      message.source = rest.slice(1, space < 0 ? undefined : space);
      rest = space < 0 ? "" : rest.slice(space + 1).trimStart();
    }
    while (rest.length > 0) {
      if (rest.startsWith(":")) {
        message.params.push(rest.slice(1));
        break;
      }
      const space = rest.indexOf(" ");
      message.params.push(space < 0 ? rest : rest.slice(0, space));
      rest = space < 0 ? "" : rest.slice(space + 1).trimStart();
    }
    message.command = (message.params.shift() || "").toUpperCase();
    return message.command ? message : null;
  }

  const nickOf = (source) => source.split("!")[0];

  // RFC 1459 casemapping, byte by byte as the server folds (ASCII only).
  function casefold(text) {
    return text.replace(/[A-Z[\]\\~]/g, (c) => ({ "[": "{", "]": "}", "\\": "|", "~": "^" }[c] || c.toLowerCase()));
  }

  function send(...params) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    const last = params.length - 1;
    const words = params.map((p, i) =>
      (i === last && i > 0 && (p === "" || p.includes(" ") || p.startsWith(":"))) ? ":" + p : p);
    socket.send(words.join(" "));
    return true;
  }

  // ---- colours: the same rules as the desktop client ------------------------
  const PALETTE = [
    0xffffff, 0x000000, 0x00007f, 0x009300, 0xff0000, 0x7f0000, 0x9c009c, 0xfc7f00,
    0xffff00, 0x00fc00, 0x009393, 0x00ffff, 0x0000fc, 0xff00ff, 0x7f7f7f, 0xd2d2d2,
  ];
  const MIN_CONTRAST = 4.5;
  const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  const background = () => (darkQuery.matches ? 0x242424 : 0xfafafa);

  function channelLuminance(v) {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  function luminance(rgb) {
    return 0.2126 * channelLuminance((rgb >> 16) & 255) +
      0.7152 * channelLuminance((rgb >> 8) & 255) + 0.0722 * channelLuminance(rgb & 255);
  }
  function contrast(a, b) {
    const la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function toHsl(rgb) {
    const r = ((rgb >> 16) & 255) / 255, g = ((rgb >> 8) & 255) / 255, b = (rgb & 255) / 255;
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    const hsl = { h: 0, s: 0, l: (max + min) / 2 };
    if (d > 0) {
      hsl.s = d / (1 - Math.abs(2 * hsl.l - 1));
      hsl.h = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    }
    return hsl;
  }
  function fromHsl({ h, s, l }) {
    const c = (1 - Math.abs(2 * l - 1)) * s, x = c * (1 - Math.abs((h % 2) - 1)), m = l - c / 2;
    const [r, g, b] = [[c, x, 0], [x, c, 0], [0, c, x], [0, x, c], [x, 0, c], [c, 0, x]][Math.floor(h) % 6];
    const to8 = (v) => Math.round(Math.min(1, Math.max(0, v + m)) * 255);
    return (to8(r) << 16) | (to8(g) << 8) | to8(b);
  }
  // The colour with its lightness moved until it reads on the background.
  function readable(rgb) {
    const bg = background();
    if (contrast(rgb, bg) >= MIN_CONTRAST) return rgb;
    const hsl = toHsl(rgb);
    for (const extreme of luminance(bg) > 0.18 ? [0, 1] : [1, 0]) {
      if (contrast(fromHsl({ ...hsl, l: extreme }), bg) < MIN_CONTRAST + 0.05) continue;
      let from = hsl.l, to = extreme, found = fromHsl({ ...hsl, l: extreme });
      for (let i = 0; i < 16; i++) {
        const mid = fromHsl({ ...hsl, l: (from + to) / 2 });
        if (contrast(mid, bg) >= MIN_CONTRAST + 0.05) { to = (from + to) / 2; found = mid; } else from = (from + to) / 2;
      }
      return found;
    }
    return contrast(0, bg) > contrast(0xffffff, bg) ? 0 : 0xffffff;
  }
  const css = (rgb) => "#" + rgb.toString(16).padStart(6, "0");

  function nickColor(name) {
    let hash = 5381;
    for (const byte of new TextEncoder().encode(casefold(name))) hash = (Math.imul(hash, 33) + byte) >>> 0;
    const h = (hash % 360) / 60;
    const l = h >= 0.7 && h <= 3.3 ? 0.34 : 0.45;
    return css(readable(fromHsl({ h, s: 0.7, l })));
  }

  // ---- IRC formatting → DOM (never HTML from the network) -------------------
  const LINK = /\bhttps?:\/\/[^\s<>"\u2066-\u2069]+[^\s<>"\u2066-\u2069.,;:!?)\]'’]/g;

  function appendLinked(parent, text, style) {
    let at = 0;
    const span = document.createElement("span");
    Object.assign(span.style, style);
    for (const match of text.matchAll(LINK)) {
      span.append(text.slice(at, match.index));
      const a = document.createElement("a");
      a.href = match[0];
      a.textContent = match[0];
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      span.append(a);
      at = match.index + match[0].length;
    }
    span.append(text.slice(at));
    parent.append(span);
  }

  function styleOf(state) {
    const style = {};
    if (state.bold) style.fontWeight = "bold";
    if (state.italic) style.fontStyle = "italic";
    const lines = [state.underline && "underline", state.strike && "line-through"].filter(Boolean);
    if (lines.length) style.textDecoration = lines.join(" ");
    if (state.mono) style.fontFamily = "ui-monospace, monospace";
    let fg = state.fg, bg = state.bg;
    if (state.reverse) [fg, bg] = [bg ?? 0xffffff, fg ?? 0];
    if (bg != null) style.backgroundColor = css(bg);
    if (fg != null) style.color = css(bg != null && contrast(fg, bg) >= MIN_CONTRAST ? fg : readable(fg));
    return style;
  }

  // Bold ^B, colour ^C (and ^D hex), italic ^], strike ^^, underline ^_,
  // monospace ^Q, reverse ^V, reset ^O; other controls are dropped.
  function renderFormatted(parent, text) {
    let state = {}, run = "";
    const flush = () => { if (run) appendLinked(parent, run, styleOf(state)); run = ""; };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      const toggle = { "\x02": "bold", "\x1d": "italic", "\x1f": "underline", "\x1e": "strike", "\x11": "mono", "\x16": "reverse" }[c];
      if (toggle) { flush(); state = { ...state, [toggle]: !state[toggle] }; continue; }
      if (c === "\x0f") { flush(); state = {}; continue; }
      if (c === "\x03") {
        flush();
        const m = /^(\d{1,2})?(?:,(\d{1,2}))?/.exec(text.slice(i + 1));
        const color = (n) => (n == null || Number(n) >= PALETTE.length ? null : PALETTE[Number(n)]);
        if (!m[1]) state = { ...state, fg: null, bg: null };
        else state = { ...state, fg: color(m[1]), bg: m[2] != null ? color(m[2]) : state.bg };
        i += m[0].length;
        continue;
      }
      if (c === "\x04") {
        flush();
        const m = /^([0-9a-fA-F]{6})?(?:,([0-9a-fA-F]{6}))?/.exec(text.slice(i + 1));
        state = { ...state, fg: m[1] ? parseInt(m[1], 16) : null, bg: m[2] ? parseInt(m[2], 16) : (m[1] ? state.bg : null) };
        i += m[0].length;
        continue;
      }
      if (c < " " && c !== "\t") continue;
      run += c;
    }
    flush();
  }

  // ---- the history ------------------------------------------------------------
  function timeOf(message) {
    const t = message && message.tags.time ? new Date(message.tags.time) : new Date();
    return isNaN(t) ? new Date() : t;
  }

  function addDateSeparator(when) {
    const day = when.toDateString();
    if (day === lastDay) return;
    lastDay = day;
    const li = document.createElement("li");
    li.className = "date";
    li.textContent = when.toLocaleDateString(language, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
    $("lines").append(li);
  }

  // kind: message, action, notice, event, info, error; private: a whisper.
  function addLine({ kind, sender = "", text, message = null, isPrivate = false, announce = true }) {
    const id = message && message.tags.msgid;
    if (id) {
      if (seenIds.has(id)) return;
      seenIds.add(id);
    }
    const history = $("history");
    const stick = history.scrollTop + history.clientHeight >= history.scrollHeight - 40;
    const when = timeOf(message);
    addDateSeparator(when);

    const li = document.createElement("li");
    li.className = kind + (isPrivate ? " private" : "");
    const time = document.createElement("time");
    time.className = "time";
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
    time.title = when.toLocaleString(language);
    li.append(time);

    if (sender && (kind === "message" || kind === "notice")) {
      const who = document.createElement("bdi");
      who.className = "nick";
      who.style.color = nickColor(sender);
      who.textContent = isPrivate ? format(_("%1 (private)"), sender) : sender;
      li.append(who);
    }
    const body = document.createElement("bdi");
    body.className = "text";
    if (kind === "action") {
      const who = document.createElement("bdi");
      who.className = "nick";
      who.style.color = nickColor(sender);
      who.textContent = "* " + sender;
      li.append(who);
    }
    renderFormatted(body, text);
    li.append(body);
    const lines = $("lines");
    lines.append(li);
    while (lines.children.length > MAX_LINES) lines.firstElementChild.remove();
    if (stick) history.scrollTop = history.scrollHeight;
    if (announce && (kind === "message" || kind === "action")) {
      $("announcer").textContent = format(_("%1: %2"), sender, body.textContent);
    }
  }

  const info = (text) => addLine({ kind: "info", text, announce: false });
  const event = (text, message) => addLine({ kind: "event", text, message, announce: false });

  // ---- members ---------------------------------------------------------------
  const PREFIX_RANK = { "~": 0, "&": 1, "@": 2, "%": 3, "+": 4 };

  function renderMembers() {
    const list = $("member-list");
    const sorted = [...members.values()].sort((a, b) =>
      (PREFIX_RANK[a.prefix[0]] ?? 9) - (PREFIX_RANK[b.prefix[0]] ?? 9) || casefold(a.nick).localeCompare(casefold(b.nick)));
    list.replaceChildren(...sorted.map((m) => {
      const li = document.createElement("li");
      const name = document.createElement("bdi");
      name.textContent = (m.prefix[0] || "") + m.nick;
      name.style.color = nickColor(m.nick);
      li.append(name);
      return li;
    }));
    const count = format(_("Members (%1)"), members.size);
    $("members-title").textContent = count;
    $("members-toggle").textContent = count;
  }

  function addMember(name) {
    const prefix = name.match(/^[~&@%+]*/)[0];
    const bare = name.slice(prefix.length);
    members.set(casefold(bare), { nick: bare, prefix });
  }

  // ---- what the server says ----------------------------------------------------
  const isRoom = (target) => casefold(target) === casefold(config.room);

  function onPrivmsg(message, notice) {
    const from = nickOf(message.source);
    const [target, text = ""] = message.params;
    const isPrivate = !target.startsWith("#") && !target.startsWith("&");
    if (!isPrivate && !isRoom(target)) return;
    // Replayed history is read, not announced; an echo of one's own private
    // message names its addressee.
    const announce = !message.tags.batch;
    const sender = isPrivate && casefold(from) === casefold(nick) ? format(_("to %1"), target) : from;
    const action = /^\x01ACTION (.*?)\x01?$/.exec(text);
    if (action) addLine({ kind: "action", sender, text: action[1], message, isPrivate, announce });
    else if (!text.startsWith("\x01")) addLine({ kind: notice ? "notice" : "message", sender, text, message, isPrivate, announce });
  }

  const HANDLERS = {
    PING: (m) => send("PONG", m.params[0] || ""),
    CAP: onCap,
    "001": (m) => {
      nick = m.params[0];
      backoff = BACKOFF_FIRST_MS;
      reconnecting = false;
      setStatus(format(_("Connected as %1"), nick), false);
      send("JOIN", config.room);
    },
    "332": (m) => { if (isRoom(m.params[1])) $("topic").textContent = m.params[2] || ""; },
    "353": (m) => { if (isRoom(m.params[2])) (m.params[3] || "").split(" ").filter(Boolean).forEach(addMember); },
    "366": () => renderMembers(),
    "372": (m) => info((m.params[1] || "").replace(/^- ?/, "")),
    "433": () => {
      if (!reconnecting) return failJoin(_("That name is taken. Choose another one."));
      nick = nick.slice(0, 29) + "_";
      send("NICK", nick);
    },
    "432": () => failJoin(_("That name cannot be used: use letters, digits and - _ [ ] { } | only.")),
    "465": (m) => failJoin(m.params[1] || _("You are banned from this server.")),
    "474": () => addLine({ kind: "error", text: _("You are banned from this room.") }),
    "404": (m) => addLine({ kind: "error", text: m.params[2] || _("You cannot speak in this room.") }),
    "401": (m) => addLine({ kind: "error", text: format(_("%1: no such name"), m.params[1]) }),
    PRIVMSG: (m) => onPrivmsg(m, false),
    NOTICE: (m) => { if (joined || m.params[0] !== "*") onPrivmsg(m, true); },
    JOIN: (m) => {
      const who = nickOf(m.source);
      if (!isRoom(m.params[0])) return;
      if (casefold(who) === casefold(nick)) {
        joined = true;
        members.clear();
        event(format(_("You joined %1"), config.room), m);
      } else {
        addMember(who);
        renderMembers();
        event(format(_("%1 joined"), who), m);
      }
    },
    PART: (m) => {
      const who = nickOf(m.source);
      if (!isRoom(m.params[0])) return;
      members.delete(casefold(who));
      renderMembers();
      event(format(_("%1 left"), who), m);
    },
    QUIT: (m) => {
      const who = nickOf(m.source);
      if (!members.delete(casefold(who))) return;
      renderMembers();
      event(format(_("%1 quit (%2)"), who, m.params[0] || ""), m);
    },
    NICK: (m) => {
      const who = nickOf(m.source), now = m.params[0];
      if (casefold(who) === casefold(nick)) nick = now;
      const member = members.get(casefold(who));
      if (member) {
        members.delete(casefold(who));
        members.set(casefold(now), { nick: now, prefix: member.prefix });
        renderMembers();
      }
      event(format(_("%1 is now %2"), who, now), m);
    },
    KICK: (m) => {
      const [room, victim, reason = ""] = m.params;
      if (!isRoom(room)) return;
      members.delete(casefold(victim));
      renderMembers();
      if (casefold(victim) === casefold(nick)) {
        joined = false;
        addLine({ kind: "error", text: format(_("%1 removed you from the room (%2). Reload the page to join again."), nickOf(m.source), reason) });
      } else event(format(_("%1 removed %2 (%3)"), nickOf(m.source), victim, reason), m);
    },
    TOPIC: (m) => {
      if (!isRoom(m.params[0])) return;
      $("topic").textContent = m.params[1] || "";
      event(format(_("%1 set the topic: %2"), nickOf(m.source), m.params[1] || ""), m);
    },
    MODE: (m) => { if (isRoom(m.params[0])) send("NAMES", config.room); },
    ERROR: (m) => info(m.params[0] || ""),
  };

  function onCap(message) {
    const [, sub, ...rest] = message.params;
    if (sub === "LS") {
      const more = rest[0] === "*";
      const offered = (more ? rest[1] : rest[0]) || "";
      offered.split(" ").forEach((cap) => { if (WANTED_CAPS.includes(cap.split("=")[0])) caps.add(cap.split("=")[0]); });
      if (more) return;
      if (caps.size) send("CAP", "REQ", [...caps].join(" "));
      else send("CAP", "END");
    } else if (sub === "ACK" || sub === "NAK") {
      if (sub === "NAK") caps.clear();
      send("CAP", "END");
    }
  }

  function onLine(line) {
    const message = parseLine(line);
    if (!message) return;
    // NAMES replies start a fresh list.
    if (message.command === "353" && !onLine.names) { members.clear(); onLine.names = true; }
    if (message.command === "366") onLine.names = false;
    const handler = HANDLERS[message.command];
    if (handler) handler(message);
  }

  // ---- connection ----------------------------------------------------------
  function setStatus(text, down) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("down", down);
  }

  function failJoin(text) {
    leaving = true;
    if (socket) socket.close();
    $("chat-view").hidden = true;
    $("join-view").hidden = false;
    $("join-error").textContent = text;
    $("nick").focus();
  }

  function connect() {
    clearTimeout(retryTimer);
    const url = new URL("ws", window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    setStatus(_("Connecting…"), false);
    socket = new WebSocket(url, ["text.ircv3.net"]);
    socket.onopen = () => {
      caps.clear();
      send("CAP", "LS", "302");
      send("NICK", nick);
      send("USER", nick, "0", "*", nick);
    };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") event.data.split(/\r?\n/).filter(Boolean).forEach(onLine);
    };
    socket.onclose = () => {
      joined = false;
      if (leaving) return;
      // 1 s doubling to a minute, with jitter so a class does not return at once.
      const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      reconnecting = true;
      setStatus(format(_("Disconnected; trying again in %1 s"), Math.ceil(delay / 1000)), true);
      retryTimer = setTimeout(connect, delay);
    };
  }

  // ---- what the person types ----------------------------------------------
  function submit(text) {
    if (!text.trim()) return;
    const command = /^\/(\S+)\s*(.*)$/.exec(text);
    if (!command || command[1] === "/") {
      const body = command ? text.slice(1) : text;
      if (send("PRIVMSG", config.room, body) && !caps.has("echo-message"))
        addLine({ kind: "message", sender: nick, text: body, announce: false });
      return;
    }
    const [, name, args] = command;
    const [first, ...restWords] = args.split(" ");
    const rest = restWords.join(" ");
    switch (name.toLowerCase()) {
      case "me":
        if (send("PRIVMSG", config.room, "\x01ACTION " + args + "\x01") && !caps.has("echo-message"))
          addLine({ kind: "action", sender: nick, text: args, announce: false });
        break;
      case "msg":
        if (!first || !rest) { addLine({ kind: "error", text: _("Usage: /msg NAME TEXT") }); break; }
        if (send("PRIVMSG", first, rest) && !caps.has("echo-message"))
          addLine({ kind: "message", sender: format(_("to %1"), first), text: rest, isPrivate: true, announce: false });
        break;
      case "nick":
        if (first) send("NICK", first);
        break;
      default:
        addLine({ kind: "error", text: _("Commands here: /me TEXT, /msg NAME TEXT, /nick NAME") });
    }
  }

  function start() {
    for (const element of document.querySelectorAll("[data-text]"))
      element.textContent = TEXTS[element.dataset.text] || element.textContent;
    document.title = config.name;
    $("server-name").textContent = config.name;
    $("join-room").textContent = format(_("Room %1"), config.room);
    $("room-name").textContent = config.room;
    renderMembers();
    const saved = window.localStorage.getItem("suda-nick");
    if (saved) $("nick").value = saved;
    $("nick").focus();

    $("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = $("nick").value.trim();
      if (!/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/.test(wanted)) {
        $("join-error").textContent = _("A name is up to 30 letters, digits or - _ [ ] { } |, not starting with a digit or -.");
        return;
      }
      window.localStorage.setItem("suda-nick", wanted);
      nick = wanted;
      leaving = false;
      $("join-error").textContent = "";
      $("join-view").hidden = true;
      $("chat-view").hidden = false;
      $("input").focus();
      connect();
    });
    $("send-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submit($("input").value);
      $("input").value = "";
    });
    $("members-toggle").addEventListener("click", () => {
      const members = $("members");
      members.hidden = !members.hidden;
      $("members-toggle").setAttribute("aria-expanded", String(!members.hidden));
    });
    $("leave").addEventListener("click", () => {
      leaving = true;
      send("QUIT", _("Left the page"));
      if (socket) socket.close();
      $("chat-view").hidden = true;
      $("join-view").hidden = false;
    });
    if (window.matchMedia("(min-width: 601px)").matches) {
      $("members").hidden = false;
      $("members-toggle").setAttribute("aria-expanded", "true");
    }
    darkQuery.addEventListener("change", renderMembers);
  }

  // The server says which room and name; a missing answer keeps the defaults.
  fetch("config.json").then((r) => (r.ok ? r.json() : {})).catch(() => ({})).then((given) => {
    if (typeof given.room === "string" && given.room) config.room = given.room;
    if (typeof given.name === "string" && given.name) config.name = given.name;
    start();
  });
})();
