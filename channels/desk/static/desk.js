// Shows new learner messages and queue changes without reloading. Text goes in with
// textContent only, so nothing a learner types can become markup in a coach's browser.
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
      time.textContent = message.at.replace("T", " ").slice(0, 19) + " UTC ";
      const who = document.createElement("b");
      who.textContent = message.author || message.role;
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = message.text;
      item.dataset.id = String(message.id);
      item.append(time, who, ": ", text);
      list.append(item);
      lastId = Math.max(lastId, message.id);
    }
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
      const cells = [link, row.channel, row.reason, row.status + (row.claimed_by ? ` by ${row.claimed_by}` : ""),
                     row.last_message || ""];
      for (const value of cells) {
        const td = document.createElement("td");
        td.append(value);
        tr.append(td);
      }
      tbody.append(tr);
    }
  }

  const poll = body.dataset.messagesUrl ? pollMessages : body.dataset.queueUrl ? pollQueue : null;
  if (poll) setInterval(() => poll().catch(() => {}), 2000);
})();
