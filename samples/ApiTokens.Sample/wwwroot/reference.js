// Swagger UI at /reference, completed for WCAG 2.1 AA once it draws: a name for the server chooser
// and the dialog's close button (4.1.2), and buttons whose name contains their visible text (2.5.3).
(() => {
  const repair = () => {
    const servers = document.getElementById("servers");
    if (servers && !servers.hasAttribute("aria-label")) {
      servers.setAttribute("aria-label", "Server");
    }

    for (const close of document.querySelectorAll(".swagger-ui .close-modal:not([aria-label])")) {
      close.setAttribute("aria-label", "Close");
    }

    for (const button of document.querySelectorAll(".swagger-ui .auth-btn-wrapper button[aria-label]")) {
      if (!button.getAttribute("aria-label").includes(button.textContent.trim())) {
        button.removeAttribute("aria-label");
      }
    }
  };
  new MutationObserver(repair).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] });
  repair();
})();
