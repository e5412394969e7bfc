ReportBench.runIfAsked(CommandLine.arguments)  // riglog-bench reports [--rounds N] [--json]
IngestStoreBench.runIfAsked(CommandLine.arguments)  // riglog-bench ring | store: runs and exits
GorillaBench.runIfAsked(CommandLine.arguments)  // riglog-bench gorilla DIR [--minutes N] [--json]
ModbusBench.runIfAsked(CommandLine.arguments)  // riglog-bench modbus-server | modbus-client
SimulatorBench.runIfAsked(CommandLine.arguments)  // riglog-bench sim-load [RIGS RATE SECONDS UNITS_PER_PORT]
EvaluationBench.runIfAsked(CommandLine.arguments)  // riglog-bench eval [--rigs 64] [--channels 50] [--rate 100] [--seconds 60] [--json]
AssessmentBench.runIfAsked(CommandLine.arguments)  // riglog-bench assessment [RUNS] [--json]
print("usage: riglog-bench ring | store | gorilla DIR | modbus-server PORT | modbus-client PORT TRANSACTIONS COUNT | sim-load")
