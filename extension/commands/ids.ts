/** Ids of the extension-wide commands (package.json `contributes.commands`); each feature keeps its own table next to its code. */
export const COMMANDS = {
  setApiKey: "aicockpit.setApiKey",
  selectModel: "aicockpit.selectModel",
  testConnection: "aicockpit.testConnection",
  showLogs: "aicockpit.showLogs",
  restartBackend: "aicockpit.restartBackend",
} as const;
