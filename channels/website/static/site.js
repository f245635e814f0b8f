// Starts rasa-webchat against Rasa's socket.io channel. Local storage keeps the session id, so the
// conversation (and a coach's live replies during a handoff) survive page reloads.
(function () {
  const chat = document.getElementById("chat");
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
  new MutationObserver(() => {
    for (const [selector, name, value] of labels) {
      document.querySelectorAll(selector).forEach((element) => element.setAttribute(name, value));
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
