/** Ids of the extension-wide commands (package.json `contributes.commands`); each feature keeps its own table next to its code. */
export const COMMANDS = {
  setApiKey: "aicockpit.setApiKey",
  selectModel: "aicockpit.selectModel",
  testConnection: "aicockpit.testConnection",
  showLogs: "aicockpit.showLogs",
  restartBackend: "aicockpit.restartBackend",
  /** First-run setup: one quick pick with local servers, the built-in model and AI services (also the walkthrough's button). */
  setup: "aicockpit.setup",
  setupLocalModel: "aicockpit.setup.localModel",
  chooseGguf: "aicockpit.setup.chooseGguf",
  setupService: "aicockpit.setup.service",
} as const;
