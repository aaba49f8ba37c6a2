//! The upgrade service: actix-http hands it every request that asks for a
//! protocol upgrade, together with the connection itself. The request goes
//! through the same `App` as any other (routes, middleware, envelopes), so
//! admission answers exactly as before; an admitted WebSocket then runs on
//! its own task (`crate::socket`) and the HTTP dispatcher, with its read and
//! write buffers, is gone. Anything else is written out and the connection
//! closes.

use std::future::poll_fn;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::time::Duration;

use actix_codec::Framed;
use actix_http::body::{BodySize, MessageBody};
use actix_http::h1::{Codec, Message};
use actix_http::{ConnectionType, Request, Response};
use actix_service::{fn_factory, IntoServiceFactory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, ServiceResponse};
use actix_web::HttpMessage;
use futures_util::SinkExt;

use super::framing::Guarded;
use super::ws::{Admitted, ViaUpgrade};
use crate::conn_limit::{ConnSlot, SlotCell};
use crate::socket::Upgraded;

/// How long writing a refusal or the handshake may take.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection taken over for an upgrade.
pub type UpgradeRequest = (Request, Framed<Guarded, Codec>);

/// The service factory for `HttpServiceBuilder::upgrade`: each worker builds
/// its own instance of the app from `make_app`.
pub fn factory<F, I, S, B>(
    make_app: F,
) -> impl ServiceFactory<
    UpgradeRequest,
    Config = (),
    Response = (),
    Error = actix_http::Error,
    InitError = (),
>
where
    F: Fn() -> I + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<
            Request,
            Config = AppConfig,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    fn_factory(move || {
        let app = make_app().into_factory();
        async move {
            let app = app.new_service(AppConfig::default()).await?;
            Ok(UpgradeService { app: Rc::new(app) })
        }
    })
}

/// Answers upgrade requests; see the module doc.
pub struct UpgradeService<S> {
    app: Rc<S>,
}

impl<S, B> Service<UpgradeRequest> for UpgradeService<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ();
    type Error = actix_http::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<(), actix_http::Error>>;

    actix_service::always_ready!();

    fn call(&self, (req, framed): UpgradeRequest) -> Self::Future {
        let slot = req.conn_data::<SlotCell>().and_then(SlotCell::take);
        req.extensions_mut().insert(ViaUpgrade);
        let answer = self.app.call(req);
        Box::pin(async move {
            let done = match answer.await {
                Ok(res) => {
                    let res: Response<B> = res.into();
                    tokio::time::timeout(ANSWER_TIMEOUT, serve(res, framed, slot)).await
                }
                Err(e) => {
                    let res: Response<_> = e.error_response().into();
                    tokio::time::timeout(ANSWER_TIMEOUT, serve(res, framed, slot)).await
                }
            };
            match done {
                Ok(Err(e)) => tracing::debug!("upgrade connection failed: {e}"),
                Err(_) => tracing::debug!("upgrade connection answered too slowly, dropped"),
                Ok(Ok(())) => {}
            }
            Ok(())
        })
    }
}

/// Writes `res`; for an admitted socket, starts it on the connection.
async fn serve<B: MessageBody>(
    mut res: Response<B>,
    mut framed: Framed<Guarded, Codec>,
    slot: Option<ConnSlot>,
) -> std::io::Result<()> {
    let admitted = res.extensions_mut().remove::<Admitted>();
    let (mut head, body) = res.into_parts();
    match admitted {
        Some(admitted) if head.status().as_u16() == 101 => {
            // Encoded, not sent: the socket writes it once its actor runs.
            Pin::new(&mut framed).write(Message::Item((head, BodySize::None)))?;
            let parts = framed.into_parts();
            let conn = Upgraded {
                io: parts.io.into_inner(),
                early: &parts.read_buf,
                answer: &parts.write_buf,
            };
            crate::realtime::session::start(admitted.into_session(), conn, slot);
            Ok(())
        }
        _ => {
            head.head_mut().set_connection_type(ConnectionType::Close);
            let size = body.size();
            framed.feed(Message::Item((head, size))).await?;
            let mut body = pin!(body);
            while let Some(chunk) = poll_fn(|cx| body.as_mut().poll_next(cx)).await {
                let chunk = chunk.map_err(|e| std::io::Error::other(e.into().to_string()))?;
                framed.feed(Message::Chunk(Some(chunk))).await?;
            }
            // `send` flushes; `close` alone would not write what was fed.
            framed.send(Message::Chunk(None)).await?;
            framed.close().await
        }
    }
}
