export * from "./errors";
export * from "./health";
export * from "./providers";
export * from "./routes";
export * from "./edit";
export * from "./completion";
export * from "./shell";
export * from "./chat";
