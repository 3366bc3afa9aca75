//! Waiting for jobs that finish later (conversions, add-on executions, uploads from URL, a
//! file becoming ready): poll with growing delays until the job reaches a final state, a
//! deadline passes, or the caller drops the future. One loop, used by every waiter.

use crate::error::{Error, Result};
use std::future::Future;
use std::time::{Duration, Instant};

/// How a waiter polls: the first delay, growing by `factor` after each poll up to
/// `max_delay`, for at most `timeout` in all.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitPolicy {
    /// Delay before the second poll (the first poll is immediate).
    pub first_delay: Duration,
    /// What each delay is multiplied by for the next one.
    pub factor: f64,
    /// The longest delay between two polls.
    pub max_delay: Duration,
    /// How long to wait in all before [`Error::TimedOut`].
    pub timeout: Duration,
}

impl Default for WaitPolicy {
    /// 250 ms, ×1.5 per poll, at most 5 s apart, 10 minutes in all.
    fn default() -> Self {
        Self {
            first_delay: Duration::from_millis(250),
            factor: 1.5,
            max_delay: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
        }
    }
}

impl WaitPolicy {
    /// The default policy with another overall timeout.
    pub fn with_timeout(timeout: Duration) -> Self {
        Self {
            timeout,
            ..Self::default()
        }
    }
}

/// Where a job is, as one poll saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Not finished yet (also: a state this crate does not know).
    Pending,
    /// Finished well.
    Succeeded,
    /// Finished badly; the service's reason.
    Failed(String),
}

/// A status answer that tells the [`JobState`].
pub trait JobStatus {
    /// The state this answer reports.
    fn job_state(&self) -> JobState;
}

/// Polls `poll` per `policy` until it reports a final state: the last answer on success,
/// [`Error::JobFailed`] on failure, [`Error::TimedOut`] when `policy.timeout` passes.
/// Dropping the future stops the polling. `poll` may fail with any error type the crate's
/// [`Error`] converts into (its errors end the wait).
pub async fn wait_for<S, E, F, Fut>(operation: &str, policy: &WaitPolicy, poll: F) -> Result<S, E>
where
    S: JobStatus,
    E: From<Error>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, E>>,
{
    let status = wait_until_final(operation, policy, poll).await?;
    match status.job_state() {
        JobState::Failed(reason) => Err(Error::JobFailed {
            operation: operation.to_owned(),
            reason,
        }
        .into()),
        _ => Ok(status),
    }
}

/// Like [`wait_for`], but a failed job's last answer is returned too (for callers that
/// report the final status either way); only [`Error::TimedOut`] and request errors fail.
pub async fn wait_until_final<S, E, F, Fut>(operation: &str, policy: &WaitPolicy, mut poll: F) -> Result<S, E>
where
    S: JobStatus,
    E: From<Error>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, E>>,
{
    let started = Instant::now();
    let mut delay = policy.first_delay;
    let mut polls = 0u32;
    loop {
        let status = poll().await?;
        polls += 1;
        if status.job_state() != JobState::Pending {
            tracing::debug!(operation, polls, "final state");
            return Ok(status);
        }
        if started.elapsed() + delay > policy.timeout {
            return Err(Error::TimedOut {
                operation: operation.to_owned(),
                waited: started.elapsed(),
            }
            .into());
        }
        tracing::trace!(
            operation,
            polls,
            delay_ms = delay.as_millis() as u64,
            "not finished yet"
        );
        tokio::time::sleep(delay).await;
        delay = delay
            .mul_f64(policy.factor.max(1.0))
            .min(policy.max_delay.max(policy.first_delay));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Answer(JobState);
    impl JobStatus for Answer {
        fn job_state(&self) -> JobState {
            self.0.clone()
        }
    }

    fn quick(timeout_ms: u64) -> WaitPolicy {
        WaitPolicy {
            first_delay: Duration::from_millis(5),
            factor: 2.0,
            max_delay: Duration::from_millis(20),
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[tokio::test]
    async fn polls_until_success_with_growing_delays() {
        let mut polls = Vec::new();
        let answer = wait_for("job", &quick(5_000), || {
            polls.push(Instant::now());
            let state = if polls.len() < 5 {
                JobState::Pending
            } else {
                JobState::Succeeded
            };
            async move { Ok::<_, Error>(Answer(state)) }
        })
        .await
        .unwrap();
        assert_eq!(answer.0, JobState::Succeeded);
        assert_eq!(polls.len(), 5);
    }

    #[tokio::test]
    async fn a_failed_job_is_a_typed_error_and_a_slow_one_times_out() {
        let err = wait_for("conversion 7", &quick(5_000), || async {
            Ok::<_, Error>(Answer(JobState::Failed("bad input".into())))
        })
        .await
        .err()
        .unwrap();
        assert!(
            matches!(&err, Error::JobFailed { operation, reason } if operation == "conversion 7" && reason == "bad input")
        );
        let err = wait_for("slow", &quick(50), || async {
            Ok::<_, Error>(Answer(JobState::Pending))
        })
        .await
        .err()
        .unwrap();
        assert!(matches!(err, Error::TimedOut { .. }), "{err:?}");
    }
}
