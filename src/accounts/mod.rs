//! Accounts and friends: profile rules (lengths, formats, cooldowns) and the
//! friend-request state machine.

pub mod friends;
pub mod profile;
