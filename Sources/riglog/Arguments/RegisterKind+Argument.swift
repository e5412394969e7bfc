public import ArgumentParser
public import Modbus

/// `--kind holding|input|coil|discrete` of `riglog probe`: the enum is the parser.
extension RegisterKind: ExpressibleByArgument {}
