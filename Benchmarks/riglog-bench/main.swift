IngestStoreBench.runIfAsked(CommandLine.arguments)  // riglog-bench ring | store: runs and exits
ModbusBench.runIfAsked(CommandLine.arguments)  // riglog-bench modbus-server | modbus-client
print("usage: riglog-bench ring | store | modbus-server PORT | modbus-client PORT TRANSACTIONS COUNT")
