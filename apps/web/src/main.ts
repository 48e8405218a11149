import './style.css';
import { startPage } from './app.js';

void startPage().catch((error: unknown) => {
  // Anything start() did not catch itself: still a message in the page, never a blank screen.
  const box = document.getElementById('error');
  const text = error instanceof Error ? error.message : String(error);
  if (box) {
    box.textContent = text;
    box.hidden = false;
  }
  const result = document.getElementById('result');
  if (result) result.dataset['json'] = JSON.stringify({ error: text });
});
