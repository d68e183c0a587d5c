// PLACEHOLDER — chat UI comes with the chat panel issue.
export {};
