/** `replaykit/listener`: the programmatic twin of `replaypack listen ...`. */
export {};
