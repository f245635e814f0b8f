// Shows new learner messages and queue changes without reloading, alerts the coach to new handoffs
// and to their learners' messages, keeps the newest messages in view and inserts saved replies.
// Text goes in with textContent only, so nothing a learner types can become markup in a coach's browser.
(function () {
  const body = document.body;

  // Where a coach's reply stands on its way to the learner (sent, waiting, failed), in the desk's words.
  function showDelivery(item, delivery) {
    item.dataset.delivery = delivery.state;
    let label = item.querySelector(".delivery");
    if (!label) {
      label = document.createElement("small");
      label.className = "delivery";
      item.append(" ", label);
    }
    label.textContent = delivery.label;
  }

  const WHO = { learner: "Learner", bot: "Assistant", system: "Desk" };

  // The conversation fills the window below the page's heading, so its reply box is in view without
  // scrolling (on a phone the page is one column and scrolls as a whole).
  function fitConversation() {
    const conversation = document.querySelector(".conversation");
    if (!conversation) return;
    const wide = window.matchMedia("(min-width: 801px)").matches;
    const top = conversation.getBoundingClientRect().top + window.scrollY;
    conversation.style.height = wide ? `${Math.max(384, window.innerHeight - top - 8)}px` : "";
  }

  // The newest message in view: the transcript scrolls, the reply box stays under it.
  function showNewest() {
    const list = document.getElementById("transcript");
    if (list) list.scrollTop = list.scrollHeight;
  }

  async function pollMessages() {
    const url = body.dataset.messagesUrl;
    let lastId = Number(body.dataset.lastId || 0);
    const list = document.getElementById("transcript");
    const response = await fetch(`${url}?after=${lastId}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    for (const message of data.messages) {
      const item = document.createElement("li");
      item.className = message.role;
      const time = document.createElement("time");
      time.textContent = message.at;
      const who = document.createElement("b");
      who.textContent = WHO[message.role] || message.author || "Coach";
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = message.text;
      item.dataset.id = String(message.id);
      item.append(time, " ", who, ": ", text);
      list.append(item);
      lastId = Math.max(lastId, message.id);
    }
    if (data.messages.length) showNewest();
    body.dataset.lastId = String(lastId);
    for (const [id, delivery] of Object.entries(data.deliveries || {})) {
      const item = list.querySelector(`li[data-id="${Number(id)}"]`);
      if (item) showDelivery(item, delivery);
    }
  }

  async function pollQueue() {
    const response = await fetch(body.dataset.queueUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const rows = await response.json();
    const tbody = document.querySelector("#queue tbody");
    tbody.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement("tr");
      const link = document.createElement("a");
      link.href = row.url;
      link.textContent = `${row.waiting_minutes} min`;
      const cells = [["Waiting", link], ["Channel", row.channel], ["Reason", row.reason],
                     ["Status", row.status + (row.claimed_by ? ` by ${row.claimed_by}` : "")],
                     ["Last message", row.last_message || ""]];
      for (const [label, value] of cells) {
        const td = document.createElement("td");
        td.dataset.label = label;
        td.append(value);
        tr.append(td);
      }
      tbody.append(tr);
    }
  }

  // Alerts: a browser notification (permission asked once, by a button, as browsers require) and a
  // short tone, for a new handoff or a message from a learner this coach has claimed.
  function tone() {
    try {
      const audio = new AudioContext();
      const note = audio.createOscillator();
      const volume = audio.createGain();
      note.frequency.value = 880;
      volume.gain.setValueAtTime(0.15, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      note.connect(volume).connect(audio.destination);
      note.start();
      note.stop(audio.currentTime + 0.4);
    } catch (error) { /* no sound on this browser: the notification still shows */ }
  }

  function notify(alert) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const shown = new Notification(alert.title, { body: alert.body, tag: alert.url });
    shown.onclick = () => { window.focus(); window.location.href = alert.url; };
  }

  async function pollAlerts() {
    const query = `handoffs=${Number(body.dataset.alertHandoffs)}&messages=${Number(body.dataset.alertMessages)}`;
    const response = await fetch(`${body.dataset.alertsUrl}?${query}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    body.dataset.alertHandoffs = String(data.handoffs);
    body.dataset.alertMessages = String(data.messages);
    if (!data.alerts.length) return;
    tone();
    data.alerts.forEach(notify);
  }

  const enable = document.getElementById("enable-alerts");
  if (enable && "Notification" in window && Notification.permission === "default") {
    enable.hidden = false;
    enable.addEventListener("click", async () => {
      await Notification.requestPermission();
      enable.hidden = true;
    });
  }

  // Saved replies: the picker inserts one where the cursor is; "/shortcut" alone becomes its text.
  const reply = document.getElementById("reply-text");
  const picker = document.getElementById("saved-reply");
  if (reply && picker) {
    const byShortcut = new Map([...picker.options].filter((o) => o.value).map((o) => [o.dataset.shortcut, o.value]));
    picker.addEventListener("change", () => {
      if (!picker.value) return;
      const start = reply.selectionStart, end = reply.selectionEnd;
      reply.value = reply.value.slice(0, start) + picker.value + reply.value.slice(end);
      reply.focus();
      picker.value = "";
    });
    reply.addEventListener("input", () => {
      const typed = /^\s*\/([a-z0-9-]+)\s$/i.exec(reply.value);
      if (typed && byShortcut.has(typed[1].toLowerCase())) reply.value = byShortcut.get(typed[1].toLowerCase());
    });
  }

  fitConversation();
  window.addEventListener("resize", fitConversation);
  showNewest();
  const poll = body.dataset.messagesUrl ? pollMessages : body.dataset.queueUrl ? pollQueue : null;
  if (poll) setInterval(() => poll().catch(() => {}), 2000);
  if (body.dataset.alertsUrl) setInterval(() => pollAlerts().catch(() => {}), 3000);
})();
