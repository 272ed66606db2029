// Frames: a ball moved by requestAnimationFrame (not by CSS, which the compositor would keep
// moving while the main thread is blocked) and the longest gap between two frames.
export const frames = {
  last: 0,
  longest: 0,
  balls: new Set(),
  sink: null,
  /** Moves `ball` across its parent on every frame. */
  track(ball) {
    this.balls.add(ball);
  },
  /** Also keeps `[time, gap]` of every frame in `state.gaps` (null: stop). */
  record(state) {
    if (state) state.gaps = [];
    this.sink = state;
  },
  /** After the next frame: the longest gap since the last call, and starts anew. */
  async settle() {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const longest = this.longest;
    this.longest = 0;
    return longest;
  },
};

function tick(now) {
  if (frames.last) {
    const gap = now - frames.last;
    frames.longest = Math.max(frames.longest, gap);
    frames.sink?.gaps.push([now, gap]);
  }
  frames.last = now;
  const t = (now / 1400) % 2;
  for (const ball of frames.balls) {
    const track = ball.parentElement.clientWidth - ball.offsetWidth - 8;
    ball.style.transform = `translateX(${Math.round(track * (t < 1 ? t : 2 - t))}px)`;
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);
