//! The live calls of this server, in memory: who calls whom from which
//! socket, which socket answered, and offers still being stored. Every
//! decision about a call (may this socket relay to that user? who won the
//! answer? who ends it?) is taken here under one lock, so two sockets racing
//! for the same call always see one outcome.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

/// One live call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The callKey (also the id of the call message).
    pub key: String,
    pub caller: String,
    pub callee: String,
    /// The socket the offer came from.
    pub caller_sid: u64,
    /// The callee's socket that answered, once one has.
    pub callee_sid: Option<u64>,
    /// When the call was answered (ms).
    pub answered_at: Option<i64>,
    /// The caller as the callee sees them.
    pub caller_user: Value,
    /// The callee as the caller sees them.
    pub callee_user: Value,
}

/// Where a frame of a call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One socket of a user.
    Socket(String, u64),
    /// Every live socket of a user (the callee while ringing).
    User(String),
}

impl Call {
    /// The other party of `user`.
    pub fn other(&self, user: &str) -> &str {
        if user == self.caller {
            &self.callee
        } else {
            &self.caller
        }
    }

    /// `user` as the other party sees them.
    pub fn user_object(&self, user: &str) -> &Value {
        if user == self.caller {
            &self.caller_user
        } else {
            &self.callee_user
        }
    }

    /// Whether socket `sid` of `user` takes part in the call: the caller's
    /// calling socket; the callee's answering socket, or any of theirs while
    /// it rings.
    pub fn is_party_socket(&self, user: &str, sid: u64) -> bool {
        if user == self.caller {
            sid == self.caller_sid
        } else if user == self.callee {
            self.callee_sid.is_none_or(|s| s == sid)
        } else {
            false
        }
    }

    /// The sockets of `user` in this call.
    pub fn target(&self, user: &str) -> Target {
        if user == self.caller {
            Target::Socket(user.to_string(), self.caller_sid)
        } else {
            match self.callee_sid {
                Some(sid) => Target::Socket(user.to_string(), sid),
                None => Target::User(user.to_string()),
            }
        }
    }
}

/// An offer whose call is being stored; frames of its caller to the callee
/// wait here so that they reach the callee after the offer.
#[derive(Debug)]
struct Pending {
    sid: u64,
    to: String,
    queued: Vec<Value>,
}

#[derive(Debug, Default)]
struct Inner {
    calls: HashMap<String, Call>,
    /// user -> keys of the live calls they are in.
    by_user: HashMap<String, Vec<String>>,
    /// caller -> the offer being stored.
    pending: HashMap<String, Pending>,
}

impl Inner {
    fn index(&mut self, user: &str, key: &str) {
        self.by_user
            .entry(user.to_string())
            .or_default()
            .push(key.to_string());
    }

    fn unindex(&mut self, user: &str, key: &str) {
        if let Some(keys) = self.by_user.get_mut(user) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                self.by_user.remove(user);
            }
        }
    }

    fn between(&self, user: &str, other: &str) -> Option<&Call> {
        self.by_user
            .get(user)?
            .iter()
            .filter_map(|k| self.calls.get(k))
            .find(|c| c.other(user) == other)
    }
}

/// The live calls.
#[derive(Debug, Default)]
pub struct CallBook {
    inner: Mutex<Inner>,
}

impl CallBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves a new call of `caller` (from socket `sid`) to `to`; `false`
    /// when the caller is already in a call or placing one.
    pub fn reserve(&self, caller: &str, sid: u64, to: &str) -> bool {
        let mut inner = self.lock();
        if inner.by_user.contains_key(caller) || inner.pending.contains_key(caller) {
            return false;
        }
        inner.pending.insert(
            caller.to_string(),
            Pending {
                sid,
                to: to.to_string(),
                queued: Vec::new(),
            },
        );
        true
    }

    /// Holds `frame` back when it goes from the socket placing an offer to
    /// its callee; `true` when held.
    pub fn hold(&self, user: &str, sid: u64, to: &str, frame: &Value) -> bool {
        let mut inner = self.lock();
        match inner.pending.get_mut(user) {
            Some(p) if p.sid == sid && p.to == to => {
                p.queued.push(frame.clone());
                true
            }
            _ => false,
        }
    }

    /// Drops the reservation of `caller` (the offer was refused).
    pub fn cancel(&self, caller: &str) {
        self.lock().pending.remove(caller);
    }

    /// Turns the reservation of `call.caller` into a live call; returns the
    /// frames held back meanwhile.
    pub fn open(&self, call: Call) -> Vec<Value> {
        let mut inner = self.lock();
        let held = inner
            .pending
            .remove(&call.caller)
            .map(|p| p.queued)
            .unwrap_or_default();
        let key = call.key.clone();
        inner.index(&call.caller, &key);
        inner.index(&call.callee, &key);
        inner.calls.insert(key, call);
        held
    }

    /// The live call between `user` and `other`, when socket `sid` of `user`
    /// takes part in it.
    pub fn for_socket(&self, user: &str, sid: u64, other: &str) -> Option<Call> {
        self.lock()
            .between(user, other)
            .filter(|c| c.is_party_socket(user, sid))
            .cloned()
    }

    /// Socket `sid` of the callee answers the call `key` from `caller`. Only
    /// the first answer counts; returns the call as it was before.
    pub fn answer(
        &self,
        key: &str,
        callee: &str,
        sid: u64,
        caller: &str,
        now: i64,
    ) -> Option<Call> {
        let mut inner = self.lock();
        let call = inner.calls.get_mut(key)?;
        if call.callee != callee || call.caller != caller || call.callee_sid.is_some() {
            return None;
        }
        let before = call.clone();
        call.callee_sid = Some(sid);
        call.answered_at = Some(now);
        Some(before)
    }

    /// Removes the call `key`; `None` when it is not live (any more).
    pub fn take(&self, key: &str) -> Option<Call> {
        let mut inner = self.lock();
        let call = inner.calls.remove(key)?;
        inner.unindex(&call.caller, key);
        inner.unindex(&call.callee, key);
        Some(call)
    }

    /// Removes every call socket `sid` of `user` takes part in as the calling
    /// or answering socket (the socket closed).
    pub fn take_socket(&self, user: &str, sid: u64) -> Vec<Call> {
        let inner = self.lock();
        let keys: Vec<String> = inner
            .by_user
            .get(user)
            .map(|keys| {
                keys.iter()
                    .filter(|k| {
                        inner.calls.get(*k).is_some_and(|c| {
                            (c.caller == user && c.caller_sid == sid)
                                || (c.callee == user && c.callee_sid == Some(sid))
                        })
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        drop(inner);
        keys.iter().filter_map(|k| self.take(k)).collect()
    }

    /// Removes the call `key` if it is live and nobody answered it yet.
    pub fn take_ringing(&self, key: &str) -> Option<Call> {
        let mut inner = self.lock();
        if inner.calls.get(key)?.callee_sid.is_some() {
            return None;
        }
        let call = inner.calls.remove(key)?;
        inner.unindex(&call.caller, key);
        inner.unindex(&call.callee, key);
        Some(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(key: &str, caller: &str, callee: &str) -> Call {
        Call {
            key: key.into(),
            caller: caller.into(),
            callee: callee.into(),
            caller_sid: 1,
            callee_sid: None,
            answered_at: None,
            caller_user: Value::Null,
            callee_user: Value::Null,
        }
    }

    #[test]
    fn one_call_at_a_time_per_caller() {
        let book = CallBook::default();
        assert!(book.reserve("a", 1, "b"));
        assert!(!book.reserve("a", 2, "c"), "placing one already");
        book.open(call("k", "a", "b"));
        assert!(!book.reserve("a", 1, "c"), "in a call");
        assert!(!book.reserve("b", 5, "c"), "being called counts too");
        book.take("k");
        assert!(book.reserve("a", 1, "c"));
    }

    #[test]
    fn first_answer_wins_and_pins_the_callee_socket() {
        let book = CallBook::default();
        book.reserve("a", 1, "b");
        book.open(call("k", "a", "b"));
        assert!(book.for_socket("b", 7, "a").is_some(), "any ringing socket");
        assert!(book.answer("k", "b", 7, "a", 10).is_some());
        assert!(book.answer("k", "b", 8, "a", 11).is_none());
        assert!(book.for_socket("b", 8, "a").is_none());
        assert!(book.for_socket("b", 7, "a").is_some());
        assert!(
            book.for_socket("a", 2, "b").is_none(),
            "not the calling socket"
        );
        assert!(book.for_socket("c", 1, "a").is_none(), "a third user");
        let closed = book.take_socket("b", 7);
        assert_eq!(closed.len(), 1);
        assert!(book.take("k").is_none());
    }

    #[test]
    fn frames_wait_for_their_offer() {
        let book = CallBook::default();
        book.reserve("a", 1, "b");
        assert!(book.hold("a", 1, "b", &Value::from(1)));
        assert!(!book.hold("a", 2, "b", &Value::from(2)));
        assert_eq!(book.open(call("k", "a", "b")), vec![Value::from(1)]);
        assert!(!book.hold("a", 1, "b", &Value::from(3)));
    }
}
