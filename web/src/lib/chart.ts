import { Chart, registerables } from 'chart.js';

/** Chart.js from npm, bundled into the pages that draw (the analytics page loads it lazily). */
Chart.register(...registerables);

export { Chart };
