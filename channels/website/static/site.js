// Starts rasa-webchat against Rasa's socket.io channel. Local storage keeps the session id, so the
// conversation (and a coach's live replies during a handoff) survive page reloads.
(function () {
  const chat = document.getElementById("chat");
  let widget = null; // rasa-webchat's handle: sendMessage(payload, what the learner's bubble says)
  WebChat.default({
    selector: "#chat",
    socketUrl: chat.dataset.socketUrl,
    socketPath: "/socket.io/",
    title: "Credential Advisor",
    subtitle: "Micro-credentials, certificates, degrees",
    inputTextFieldHint: "Type your question…",
    initPayload: "/greet",
    showMessageDate: true,
    customMessageDelay: () => 400, // shows the typing indicator briefly before each reply
    params: { storage: "local" },
    innerRef: (handle) => { widget = handle; },
  }, null);

  // The widget renders plain elements; give them names a screen reader can announce.
  const labels = [
    [".rw-launcher", "aria-label", "Open the chat with the Credential Advisor"],
    [".rw-new-message", "aria-label", "Your question"],
    [".rw-send", "aria-label", "Send"],
    [".rw-close-button", "aria-label", "Close the chat"],
    [".rw-messages-container", "aria-live", "polite"],
    [".rw-messages-container", "role", "log"],
  ];

  // "Talk to a person", always under the chat's title: the same path as asking for one.
  function addTalkToAPerson() {
    const header = document.querySelector(".rw-header-and-loading");
    if (!header || header.querySelector(".advisor-talk-to-person")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "advisor-talk-to-person";
    button.textContent = "Talk to a person";
    button.addEventListener("click", () => {
      if (widget) widget.sendMessage("/human_handoff", "Talk to a person");
    });
    header.append(button);
  }

  // A coach's reply arrives as "Sam (admissions coach): text" (bot/domain/handoff.yml): show it as
  // the coach's, with their name and a "coach" label, not as the assistant's. Only the assistant's
  // bubbles are looked at, so nothing a learner types is ever dressed up as a coach.
  const COACH_LINE = /^(.{1,100}?) \(admissions coach\): /;
  function markCoachReplies() {
    document.querySelectorAll(".rw-response:not([data-coach])").forEach((bubble) => {
      const walker = document.createTreeWalker(bubble, NodeFilter.SHOW_TEXT);
      const first = walker.nextNode();
      const match = first && COACH_LINE.exec(first.nodeValue);
      if (!match) {
        bubble.dataset.coach = "";
        return;
      }
      first.nodeValue = first.nodeValue.slice(match[0].length);
      bubble.dataset.coach = match[1];
      const who = document.createElement("span");
      who.className = "advisor-coach-label";
      const name = document.createElement("b");
      name.textContent = match[1];
      const role = document.createElement("span");
      role.className = "advisor-coach-badge";
      role.textContent = "coach";
      who.append(name, " ", role);
      bubble.prepend(who);
    });
  }

  new MutationObserver(() => {
    for (const [selector, name, value] of labels) {
      document.querySelectorAll(selector).forEach((element) => element.setAttribute(name, value));
    }
    addTalkToAPerson();
    markCoachReplies();
  }).observe(document.body, { childList: true, subtree: true });
})();
