//! RFC 6455 framing: the header of a client frame, read before its payload
//! (so a size limit is enforced on the declared length, not after the bytes
//! arrived), and the header of a server frame.

/// A frame's opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpCode {
    Continue,
    Text,
    Binary,
    Close,
    Ping,
    Pong,
}

impl OpCode {
    fn from_bits(bits: u8) -> Option<Self> {
        Some(match bits {
            0x0 => Self::Continue,
            0x1 => Self::Text,
            0x2 => Self::Binary,
            0x8 => Self::Close,
            0x9 => Self::Ping,
            0xA => Self::Pong,
            _ => return None,
        })
    }

    fn bits(self) -> u8 {
        match self {
            Self::Continue => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// Close, ping and pong.
    pub fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }
}

/// The header of a client frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Last frame of its message.
    pub fin: bool,
    pub op: OpCode,
    /// Declared payload length.
    pub len: u64,
    /// The client's masking key.
    pub mask: [u8; 4],
    /// Bytes the header itself takes (2 to 14).
    pub size: usize,
}

/// A client frame that breaks the protocol (the socket closes with 1002).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolError(pub &'static str);

/// Largest payload of a control frame (RFC 6455 5.5).
const MAX_CONTROL_PAYLOAD: u64 = 125;

/// Reads a client frame header from the start of `buf`; `Ok(None)` while
/// fewer bytes than the header needs have arrived.
pub fn parse_header(buf: &[u8]) -> Result<Option<Header>, ProtocolError> {
    let [first, second, ..] = *buf else {
        return Ok(None);
    };
    if first & 0x70 != 0 {
        return Err(ProtocolError("reserved bits set"));
    }
    let op = OpCode::from_bits(first & 0x0F).ok_or(ProtocolError("unknown opcode"))?;
    if second & 0x80 == 0 {
        return Err(ProtocolError("client frame not masked"));
    }
    let fin = first & 0x80 != 0;
    let (len, at) = match second & 0x7F {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(b);
                (u64::from_be_bytes(bytes), 10)
            }
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    if len >> 63 != 0 {
        return Err(ProtocolError("length with the top bit set"));
    }
    if op.is_control() && (!fin || len > MAX_CONTROL_PAYLOAD) {
        return Err(ProtocolError("fragmented or oversized control frame"));
    }
    let Some(m) = buf.get(at..at + 4) else {
        return Ok(None);
    };
    Ok(Some(Header {
        fin,
        op,
        len,
        mask: [m[0], m[1], m[2], m[3]],
        size: at + 4,
    }))
}

/// Unmasks a payload in place; `offset` is the payload position of `data[0]`.
pub fn unmask(data: &mut [u8], mask: [u8; 4], offset: usize) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= mask[(offset + i) % 4];
    }
}

/// The header of an unfragmented, unmasked server frame of `len` bytes:
/// the bytes and how many of them are used.
pub fn server_header(op: OpCode, len: usize) -> ([u8; 10], u8) {
    let mut head = [0u8; 10];
    head[0] = 0x80 | op.bits();
    let used = if len < 126 {
        head[1] = len as u8;
        2
    } else if let Ok(short) = u16::try_from(len) {
        head[1] = 126;
        head[2..4].copy_from_slice(&short.to_be_bytes());
        4
    } else {
        head[1] = 127;
        head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    (head, used)
}

/// The payload of a close frame: the code, then the reason.
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + reason.len());
    out.extend_from_slice(&code.to_be_bytes());
    // Control payloads are at most 125 bytes; our reasons are short words.
    out.extend_from_slice(&reason.as_bytes()[..reason.len().min(123)]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(first: u8, len_bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![first];
        v.extend_from_slice(len_bytes);
        v[1] |= 0x80;
        v.extend_from_slice(&[1, 2, 3, 4]);
        v
    }

    #[test]
    fn headers_of_each_length_form() {
        let h = parse_header(&masked(0x81, &[5])).unwrap().unwrap();
        assert_eq!((h.fin, h.op, h.len, h.size), (true, OpCode::Text, 5, 6));
        let h = parse_header(&masked(0x02, &[126, 1, 0])).unwrap().unwrap();
        assert_eq!(
            (h.fin, h.op, h.len, h.size),
            (false, OpCode::Binary, 256, 8)
        );
        let mut huge = vec![127];
        huge.extend_from_slice(&(1u64 << 62).to_be_bytes());
        let h = parse_header(&masked(0x81, &huge)).unwrap().unwrap();
        assert_eq!((h.len, h.size), (1 << 62, 14));
    }

    #[test]
    fn partial_headers_wait_for_more() {
        let full = masked(0x81, &[127, 0, 0, 0, 0, 0, 0, 1, 0]);
        for cut in 0..full.len() {
            assert_eq!(parse_header(&full[..cut]), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn protocol_errors() {
        assert!(parse_header(&[0x81, 0x05]).is_err(), "unmasked");
        assert!(parse_header(&masked(0xC1, &[0])).is_err(), "reserved bit");
        assert!(parse_header(&masked(0x83, &[0])).is_err(), "opcode 3");
        assert!(
            parse_header(&masked(0x09, &[0])).is_err(),
            "fragmented ping"
        );
        assert!(
            parse_header(&masked(0x89, &[126, 0, 200])).is_err(),
            "big ping"
        );
        let mut top = vec![127];
        top.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(parse_header(&masked(0x81, &top)).is_err(), "top bit");
    }

    #[test]
    fn server_headers() {
        assert_eq!(
            server_header(OpCode::Text, 5),
            ([0x81, 5, 0, 0, 0, 0, 0, 0, 0, 0], 2)
        );
        let (h, n) = server_header(OpCode::Text, 300);
        assert_eq!((&h[..n as usize], n), (&[0x81, 126, 1, 44][..], 4));
        let (h, n) = server_header(OpCode::Binary, 70_000);
        assert_eq!(&h[..n as usize], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }

    #[test]
    fn unmask_round_trips_at_any_offset() {
        let mask = [9, 8, 7, 6];
        let mut data = *b"hello world";
        unmask(&mut data, mask, 0);
        let (a, b) = data.split_at_mut(3);
        unmask(a, mask, 0);
        unmask(b, mask, 3);
        assert_eq!(&data, b"hello world");
    }
}
