// RigSimulatorTests: populated by the simulator issue.
