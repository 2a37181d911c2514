//! The hidden `__print-env MARK` subcommand: the login shell runs it so that we can read the
//! environment the shell built, without depending on node/python/env(1) being installed.
