IngestStoreBench.runIfAsked(CommandLine.arguments)  // riglog-bench ring | store: runs and exits
print("bench")
