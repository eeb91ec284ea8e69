// The campaign page's islands. This file is loaded without `defer` from the page body, so it runs
// before Alpine (deferred in the head) starts and its components are registered in time.
(function () {
  const POLL_MS = 2000;
  // A finished campaign's counts still move (deliveries, opens, clicks): checked less often.
  const WATCH_POLL_MS = 5000;
  const LIVE = ["scheduled", "running", "paused"];
  // Weight of the newest rate sample: enough to follow a change of pace within a few polls
  // without jumping with each batch the sender completes.
  const SMOOTHING = 0.3;

  const number = (n) => Number(n || 0).toLocaleString("en");

  function aboutDuration(seconds) {
    if (seconds < 60) return "less than a minute";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
    const hours = Math.round(minutes / 60);
    if (hours < 48) return `about ${hours} hour${hours === 1 ? "" : "s"}`;
    const days = Math.round(hours / 24);
    return `about ${days} days`;
  }

  function register(Alpine) {
    // The live progress: polls the campaign's JSON while it can still move, computes the rate from
    // successive settled counts and the time left from what is queued, and reloads the page once
    // its status changes (new actions, the final numbers and the filled recipients table).
    Alpine.data("campaignProgress", () => ({
      status: "",
      sent: 0,
      total: 0,
      percent: 0,
      expanded: true,
      rate: null,
      eta: "",
      sentText: "",
      rateText: "",
      timer: null,
      last: null,
      init() {
        const d = this.$el.dataset;
        this.status = d.status;
        this.sent = Number(d.sent);
        this.total = Number(d.total);
        this.percent = Number(d.percent);
        this.eta = this.$el.querySelector("[data-testid=progress-eta]")?.textContent ?? "";
        this.sentText = this.$el.querySelector("[data-testid=progress-sent]")?.textContent ?? "";
        this.rateText = this.$el.querySelector("[data-testid=progress-rate]")?.textContent ?? "";
        if (d.live === "true") this.timer = setInterval(() => this.poll(), POLL_MS);
        else if (d.watch === "true") this.timer = setInterval(() => this.poll(), WATCH_POLL_MS);
      },
      destroy() {
        clearInterval(this.timer);
      },
      get barWidth() {
        return `${this.percent}%`;
      },
      get percentLabel() {
        return `${this.percent}%`;
      },
      get sentLabel() {
        return this.sentText;
      },
      get rateLabel() {
        return this.rateText;
      },
      get etaLabel() {
        return this.eta;
      },
      async poll() {
        let campaign;
        try {
          const reply = await fetch(this.$el.dataset.url, { headers: { accept: "application/json" }, credentials: "same-origin" });
          if (!reply.ok) return;
          campaign = await reply.json();
        } catch {
          // Offline for a moment: the next poll tries again.
          return;
        }
        this.show(campaign);
        if (campaign.status !== this.status) {
          clearInterval(this.timer);
          // Once: the page comes back in the new status, which polls again only if it is still live.
          window.location.reload();
        }
      },
      show(campaign) {
        const c = campaign.counts;
        const settled = Math.max(0, c.total - c.queued - c.sending);
        this.total = c.total;
        this.sent = c.sent;
        this.percent = c.total ? Math.floor((settled * 100) / c.total) : 0;
        this.sentText = !campaign.expanded && c.total === 0 ? "Preparing the recipients…" : `${number(c.sent)} of ${number(c.total)} sent${c.failed ? ` · ${number(c.failed)} failed` : ""}`;
        for (const el of this.$el.querySelectorAll("[data-count]")) el.textContent = number(c[el.dataset.count]);
        for (const el of this.$el.querySelectorAll("[data-share]")) {
          el.textContent = c.sent > 0 ? `${((c[el.dataset.share] * 100) / c.sent).toFixed(1)}% of sent` : "";
        }

        const now = Date.now();
        const done = c.sent + c.failed;
        if (this.last && campaign.status === "running") {
          const seconds = (now - this.last.at) / 1000;
          if (seconds > 0) {
            const sample = Math.max(0, done - this.last.done) / seconds;
            this.rate = this.rate === null ? sample : SMOOTHING * sample + (1 - SMOOTHING) * this.rate;
          }
        }
        this.last = { at: now, done };
        const waiting = c.queued + c.sending;
        const holding = campaign.holdUntil && new Date(campaign.holdUntil).getTime() > now;
        if (campaign.status === "running" && !holding) {
          this.rateText = this.rate === null ? "Measuring the rate…" : `${this.rate.toFixed(1)} per second`;
          if (this.rate === null || (this.rate === 0 && waiting > 0)) this.eta = waiting > 0 || !campaign.expanded ? "Working out the time left…" : "Finishing…";
          else this.eta = waiting > 0 ? `${aboutDuration(waiting / this.rate)} left` : "Finishing…";
        } else if (holding) {
          this.rateText = "";
          this.eta = "Waiting for the 24-hour quota";
        } else if (campaign.status === "paused") {
          this.rateText = "";
          this.eta = "Paused";
        } else if (!LIVE.includes(campaign.status)) {
          this.rateText = "";
          this.eta = campaign.status === "sent" ? "Done" : "";
        }
      },
    }));

    // A notice the person may put aside for now ("Leave them"); it comes back with the page.
    Alpine.data("dismissible", () => ({
      open: true,
      dismiss() {
        this.open = false;
      },
    }));
  }

  // A notice after a redirect (?notice=launched) is shown once: reloads and the page's own reload
  // on a status change show the page without it.
  const url = new URL(window.location.href);
  if (url.searchParams.has("notice")) {
    url.searchParams.delete("notice");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  if (window.Alpine) register(window.Alpine);
  else document.addEventListener("alpine:init", () => register(window.Alpine));
})();
