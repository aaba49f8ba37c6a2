//! `POST /x/account/subscribe`: stores a Web Push subscription of the caller.

use actix_web::web;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{ok_data, ApiResult};
use crate::http::json::Body;
use crate::ids;
use crate::push::subscription::{self, SubscriptionIn};
use crate::state::AppState;
use crate::store;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Subscribe {
    #[schema(inline)]
    subscription: SubscriptionIn,
}

async fn subscribe(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Subscribe>,
) -> ApiResult {
    let sub = body.subscription.validate(&me, ids::now_ms())?;
    let row = sub.clone();
    store::write(&state.pool, move |c| Ok(db::push::upsert(c, &row)?)).await?;
    Ok(ok_data(subscription::to_json(&sub)))
}

/// Registers the push routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/account/subscribe", web::post().to(subscribe));
}
