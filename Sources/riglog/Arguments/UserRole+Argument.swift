public import ArgumentParser
public import Store

/// `--role technician|instructor|admin` of `riglog users add`: the enum is the parser, and its
/// cases are what a wrong value's error message offers.
extension UserRole: ExpressibleByArgument {}
