//! `webhooks` commands: list, create, update and delete, with signing secrets redacted
//! from what is printed.

use super::Rest;
use crate::cli::WebhooksCommand;
use crate::error::{CliError, Result};
use crate::output::{self, Output};

pub async fn webhooks(rest: &Rest, out: &Output, command: WebhooksCommand) -> Result {
    match command {
        WebhooksCommand::List => each_version!(rest, |client, types| {
            let hooks = client.webhooks_list().send().await?.into_inner();
            out.print(&output::redact_webhooks(&hooks)?)
        }),
        WebhooksCommand::Create {
            target_url,
            event,
            signing_secret,
            inactive,
        } => each_version!(rest, |client, types| {
            let secret = signing_secret
                .as_deref()
                .map(types::WebhookSigningSecret::try_from)
                .transpose()
                .map_err(|e| CliError::usage(format!("invalid --signing-secret: {e}")))?;
            let hook = client
                .webhook_create()
                .body_map(|b| {
                    b.target_url(target_url.as_str())
                        .event(event.as_str())
                        .is_active(inactive.then_some(false))
                        .signing_secret(secret)
                })
                .send()
                .await?;
            out.print(&output::redact_webhooks(&hook.into_inner())?)
        }),
        WebhooksCommand::Update {
            id,
            target_url,
            event,
            active,
            signing_secret,
        } => {
            if target_url.is_none() && event.is_none() && active.is_none() && signing_secret.is_none() {
                return Err(CliError::usage(
                    "nothing to update: give --target-url, --event, --active or --signing-secret",
                ));
            }
            each_version!(rest, |client, types| {
                let secret = signing_secret
                    .as_deref()
                    .map(types::WebhookSigningSecret::try_from)
                    .transpose()
                    .map_err(|e| CliError::usage(format!("invalid --signing-secret: {e}")))?;
                let target_url = target_url
                    .as_deref()
                    .map(types::WebhookUpdateRequestTargetUrl::try_from)
                    .transpose()
                    .map_err(|e| CliError::usage(format!("invalid --target-url: {e}")))?;
                let event = event.as_deref().map(types::WebhookEvent::from);
                let hook = client
                    .update_webhook()
                    .id(id)
                    .body_map(|b| {
                        b.target_url(target_url)
                            .event(event)
                            .is_active(active)
                            .signing_secret(secret)
                    })
                    .send()
                    .await?;
                out.print(&output::redact_webhooks(&hook.into_inner())?)
            })
        }
        WebhooksCommand::Delete { target_url } => each_version!(rest, |client, types| {
            client
                .webhook_unsubscribe()
                .body_map(|b| b.target_url(target_url.as_str()))
                .send()
                .await?;
            out.empty()
        }),
    }
}
