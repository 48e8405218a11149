// The page: settings form, teacher choice, live curves, the result table and the JSON contract.
import { fetchFashionMnistMini, type ImageDataset, type Split } from '@kdkit/datasets';
import type { TripletPhase, TripletRole } from '@kdkit/experiments';
import { listModels } from '@kdkit/models';
import { listPretrained, type PretrainedEntry } from '@kdkit/pretrained';
import * as tf from '@tensorflow/tfjs-core';
import testImages from '../../../packages/datasets/assets/t10k-images-idx3-ubyte.gz?url';
import testLabels from '../../../packages/datasets/assets/t10k-labels-idx1-ubyte.gz?url';
import trainImages from '../../../packages/datasets/assets/train-images-idx3-ubyte.gz?url';
import trainLabels from '../../../packages/datasets/assets/train-labels-idx1-ubyte.gz?url';
import { isolationNote, type PageBackend, startBackend } from './backend.js';
import { LineChart } from './chart.js';
import { PRETRAINED_BASE } from './paths.js';
import {
  count,
  type PageError,
  type PageResult,
  pageResult,
  percent,
  summaryLine,
  tableRows,
} from './report.js';
import { runDistillation, type TeacherPlan } from './run.js';
import {
  type PageSettings,
  settingsFromQuery,
  settingsToQuery,
  validateSettings,
} from './settings.js';
import {
  type LoadedTeacher,
  loadPretrainedTeacher,
  loadUploadedTeacher,
  type UploadedTeacher,
} from './teachers.js';

/** The mini set is drawn from Fashion-MNIST: teachers shipped for the full set serve it. */
const TEACHER_DATASET = 'fashion-mnist';
/** Where the site serves @kdkit/pretrained's files (see build/pretrained-teachers.ts). */
const pretrainedBase = () => new URL(PRETRAINED_BASE, document.baseURI);

/** The shipped teachers the page can use (SHA-256 checked when one is loaded). */
async function shippedTeachers(): Promise<PretrainedEntry[]> {
  const entries = await listPretrained({ baseUrl: pretrainedBase() });
  return entries.filter((t) => t.dataset === TEACHER_DATASET);
}

/** The Fashion-MNIST mini set's files, emitted by Vite as hashed assets. */
const MINI_SET_FILES = {
  'train-images-idx3-ubyte.gz': trainImages,
  'train-labels-idx1-ubyte.gz': trainLabels,
  't10k-images-idx3-ubyte.gz': testImages,
  't10k-labels-idx1-ubyte.gz': testLabels,
};

/** One split of the mini set (3,000 train / 1,000 test real images), optionally its first `limit`. */
function loadMiniSet(split: Split, limit?: number): Promise<ImageDataset> {
  return fetchFashionMnistMini({
    split,
    from: MINI_SET_FILES,
    ...(limit === undefined ? {} : { limit }),
  });
}

const COLORS = { teacher: '#8c8c8c', scratch: '#d9730d', kd: '#2563eb' } as const;
const ROLE_KEY: Record<TripletRole, keyof typeof COLORS> = {
  teacher: 'teacher',
  'student-scratch': 'scratch',
  'student-kd': 'kd',
};
const PHASE_TEXT: Record<TripletPhase, string> = {
  'load-teacher': 'loading the teacher',
  'train-teacher': 'training the teacher',
  'evaluate-teacher': 'evaluating the teacher',
  'train-student-scratch': 'training the student from scratch',
  'evaluate-student-scratch': 'evaluating the scratch student',
  'distill-student': 'distilling the student from the teacher',
  'evaluate-student-kd': 'evaluating the distilled student',
};

function $<T extends HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`page: element ${selector} is missing from index.html`);
  return node;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Page {
  private readonly form = $<HTMLFormElement>('#settings');
  private readonly errorBox = $<HTMLDivElement>('#error');
  private readonly status = $<HTMLSpanElement>('#status');
  private readonly progress = $<HTMLProgressElement>('#progress');
  private readonly runButton = $<HTMLButtonElement>('#run');
  private readonly downloadButton = $<HTMLButtonElement>('#download');
  private readonly resultBox = $<HTMLDivElement>('#result');
  private readonly teacherStatus = $<HTMLParagraphElement>('#teacher-status');
  /** Locked during a run: a new upload would free the teacher the run is using. */
  private readonly teacherFieldset = $<HTMLFieldSetElement>('#teacher-fieldset');
  private readonly lossChart = new LineChart({
    title: "training loss (log scale; each student's total loss)",
    xLabel: "epochs (each run scaled to the students' epochs)",
    yScale: 'log',
    series: {
      teacher: { label: 'teacher', color: COLORS.teacher },
      scratch: { label: 'scratch', color: COLORS.scratch },
      kd: { label: 'KD', color: COLORS.kd },
    },
  });
  private readonly accuracyChart = new LineChart({
    title: 'test accuracy',
    xLabel: 'epochs',
    yRange: [0, 1],
    yFormat: (y) => `${Math.round(y * 100)}%`,
    series: {
      teacher: { label: 'teacher', color: COLORS.teacher, dashed: true },
      scratch: { label: 'scratch', color: COLORS.scratch },
      kd: { label: 'KD', color: COLORS.kd },
    },
  });
  private backend: PageBackend | undefined;
  private data: { train: ImageDataset; test: ImageDataset } | undefined;
  private shipped: PretrainedEntry[] = [];
  private uploaded: UploadedTeacher | undefined;
  /** Counts uploads: a later pick (or a changed ONNX layout or range) supersedes a running check. */
  private uploads = 0;
  private readonly pretrainedCache = new Map<string, LoadedTeacher>();
  private kdStudent: tf.io.ModelArtifacts | undefined;
  private running = false;

  async start(): Promise<void> {
    $('#loss-chart').append(this.lossChart.element);
    $('#accuracy-chart').append(this.accuracyChart.element);
    let settings: PageSettings;
    try {
      settings = settingsFromQuery(location.search);
    } catch (error) {
      this.fail(error);
      return;
    }
    try {
      await this.useBackend(settings);
      const [train, test, shipped] = await Promise.all([
        loadMiniSet('train'),
        loadMiniSet('test'),
        shippedTeachers(),
      ]);
      this.data = { train, test };
      this.shipped = shipped;
      this.fillForm(settings);
      this.status.textContent = `ready: ${train.size.toLocaleString('en-US')} training and ${test.size.toLocaleString('en-US')} test images`;
    } catch (error) {
      this.fail(error);
      return;
    }
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run();
    });
    const file = $<HTMLInputElement>('#teacher-file');
    file.addEventListener('change', () => void this.upload());
    // An ONNX teacher is built with the layout and pixel range: changing them checks it again.
    for (const name of ['teacherLayout', 'teacherInputMin', 'teacherInputMax']) {
      $(`[name=${name}]`).addEventListener('change', () => {
        if ([...(file.files ?? [])].some((f) => f.name.toLowerCase().endsWith('.onnx'))) {
          void this.upload();
        }
      });
    }
    const loss = $<HTMLSelectElement>('[name=loss]');
    loss.addEventListener('change', () => this.showLossOptions(loss.value));
    this.downloadButton.addEventListener('click', () => void this.download());
    this.runButton.disabled = false;
    if (settings.autorun) await this.run(settings);
  }

  private async useBackend(settings: PageSettings): Promise<void> {
    const line = $<HTMLParagraphElement>('#backend');
    if (this.backend && settings.backend === 'auto') return;
    if (this.backend?.name === settings.backend) return;
    this.backend = await startBackend(settings.backend, settings.threads);
    const { name, threads, reason } = this.backend;
    const threadText = name === 'wasm' ? ` · ${threads} thread${threads === 1 ? '' : 's'}` : '';
    line.textContent = `backend: ${name}${threadText} — ${reason}; ${isolationNote()}`;
    line.dataset['backend'] = name;
  }

  private fillForm(settings: PageSettings): void {
    const models = listModels();
    const option = (name: string, text: string) => new Option(text, name);
    const select = (name: string) => this.form.elements.namedItem(name) as HTMLSelectElement;
    const input = (name: string) => this.form.elements.namedItem(name) as HTMLInputElement;
    const describe = (m: (typeof models)[number]) =>
      `${m.name} (${m.params.toLocaleString('en-US')} params)`;
    select('teacherModel').replaceChildren(
      ...models.filter((m) => m.role === 'teacher').map((m) => option(m.name, describe(m))),
    );
    select('student').replaceChildren(
      ...models.filter((m) => m.role === 'student').map((m) => option(m.name, describe(m))),
    );
    const pretrained = select('pretrained');
    pretrained.replaceChildren(
      ...this.shipped.map((t) =>
        option(
          t.id,
          `${t.model} (${count(t.params)} params, ${percent(t.testAccuracy)} on the ${t.dataset} test set)`,
        ),
      ),
    );
    const hint = $<HTMLParagraphElement>('#pretrained-hint');
    const radio = (value: string) =>
      this.form.querySelector<HTMLInputElement>(`input[name=teacher][value=${value}]`);
    if (this.shipped.length === 0) {
      pretrained.disabled = true;
      const pretrainedRadio = radio('pretrained');
      if (pretrainedRadio) pretrainedRadio.disabled = true;
      hint.textContent =
        'No pretrained teacher ships with this build yet: train one here, or upload your own.';
    }
    const chosen = radio(this.teacherSource(settings));
    if (chosen) chosen.checked = true;
    if (settings.pretrained) pretrained.value = settings.pretrained;
    select('teacherModel').value = settings.teacherModel;
    select('teacherLayout').value = settings.teacherLayout;
    select('student').value = settings.student;
    select('backend').value = settings.backend;
    select('loss').value = settings.loss;
    this.showLossOptions(settings.loss);
    for (const key of [
      'teacherEpochs',
      'epochs',
      'temperature',
      'alpha',
      'labelFraction',
      'teacherInputMin',
      'teacherInputMax',
    ] as const) {
      input(key).value = String(settings[key]);
    }
  }

  /** The form's settings, over the query's (which also carries fields the form lacks). */
  private readSettings(): PageSettings {
    const data = new FormData(this.form);
    const base = settingsFromQuery(location.search);
    const text = (key: string) => String(data.get(key) ?? '');
    // Numbers are read from the inputs, not FormData, which leaves out disabled ones (T and α under DIST).
    const num = (key: string) =>
      Number((this.form.elements.namedItem(key) as HTMLInputElement).value);
    return validateSettings({
      ...base,
      teacher: text('teacher') as PageSettings['teacher'],
      ...(text('pretrained') ? { pretrained: text('pretrained') } : {}),
      teacherModel: text('teacherModel'),
      teacherEpochs: num('teacherEpochs'),
      teacherLayout: text('teacherLayout') as PageSettings['teacherLayout'],
      teacherInputMin: num('teacherInputMin'),
      teacherInputMax: num('teacherInputMax'),
      student: text('student'),
      epochs: num('epochs'),
      loss: text('loss') as PageSettings['loss'],
      temperature: num('temperature'),
      alpha: num('alpha'),
      labelFraction: num('labelFraction'),
      backend: text('backend') as PageSettings['backend'],
    });
  }

  private async upload(): Promise<void> {
    const input = $<HTMLInputElement>('#teacher-file');
    const files = [...(input.files ?? [])];
    if (files.length === 0 || !this.data) return;
    const upload = ++this.uploads;
    this.clearError();
    this.uploaded?.dispose();
    this.uploaded = undefined;
    this.teacherStatus.textContent = `checking ${files.map((f) => f.name).join(', ')}…`;
    try {
      const settings = this.readSettings();
      const uploaded = await loadUploadedTeacher(files, this.data.test, {
        layout: settings.teacherLayout,
        input: { scale: [settings.teacherInputMin, settings.teacherInputMax] },
      });
      if (upload !== this.uploads) {
        uploaded.dispose();
        return;
      }
      this.uploaded = uploaded;
      const radio = this.form.querySelector<HTMLInputElement>('input[name=teacher][value=upload]');
      if (radio) radio.checked = true;
      this.teacherStatus.textContent = `uploaded teacher ${uploaded.label}: ${percent(uploaded.accuracy)} on the test set`;
    } catch (error) {
      if (upload !== this.uploads) return;
      this.teacherStatus.textContent = '';
      this.showError(error);
    }
  }

  /** T and α apply to Hinton's loss only: DIST takes its defaults, so they are disabled for it. */
  private showLossOptions(loss: string): void {
    for (const name of ['temperature', 'alpha']) {
      $<HTMLInputElement>(`[name=${name}]`).disabled = loss !== 'hinton';
    }
  }

  /** Where the teacher comes from: `auto` is the first shipped teacher, else one trained here. */
  private teacherSource(settings: PageSettings): 'pretrained' | 'train' | 'upload' {
    if (settings.teacher !== 'auto') return settings.teacher;
    return this.shipped.length > 0 ? 'pretrained' : 'train';
  }

  private async teacherPlan(settings: PageSettings): Promise<TeacherPlan> {
    const source = this.teacherSource(settings);
    if (source === 'train') {
      return { kind: 'train', zooName: settings.teacherModel, epochs: settings.teacherEpochs };
    }
    if (source === 'upload') {
      if (!this.uploaded) {
        throw new Error(
          'teacher: "upload" is selected but no valid teacher was uploaded; pick an .onnx file, or a model.json with its weight files, first.',
        );
      }
      return this.plan(this.uploaded);
    }
    const id = settings.pretrained ?? this.shipped[0]?.id;
    const entry = this.shipped.find((t) => t.id === id);
    if (!entry) {
      throw new Error(
        `teacher: no pretrained teacher '${id ?? ''}' for ${TEACHER_DATASET} in this build (shipped: ${this.shipped.map((t) => t.id).join(', ') || 'none'}).`,
      );
    }
    let loaded = this.pretrainedCache.get(entry.id);
    if (!loaded) {
      const bytes = entry.files.reduce((sum, f) => sum + f.bytes, 0);
      this.status.textContent = `loading the pretrained teacher ${entry.id} (${(bytes / 1e6).toFixed(1)} MB, SHA-256 checked)…`;
      loaded = await loadPretrainedTeacher(entry, pretrainedBase());
      this.pretrainedCache.set(entry.id, loaded);
    }
    return this.plan(loaded);
  }

  private plan(loaded: LoadedTeacher): TeacherPlan {
    return {
      kind: 'teacher',
      teacher: loaded.teacher,
      label: loaded.label,
      ...(loaded.params === undefined ? {} : { params: loaded.params }),
    };
  }

  async run(fromQuery?: PageSettings): Promise<void> {
    if (this.running || !this.data) return;
    this.running = true;
    this.runButton.disabled = true;
    this.downloadButton.disabled = true;
    this.clearError();
    delete this.resultBox.dataset['json'];
    const started = performance.now();
    try {
      const settings = fromQuery ?? this.readSettings();
      this.teacherFieldset.disabled = true;
      if (!fromQuery) {
        const query = settingsToQuery(settings);
        history.replaceState(null, '', query ? `?${query}` : location.pathname);
      }
      await this.useBackend(settings);
      const data =
        settings.limit === undefined
          ? this.data
          : { ...this.data, train: await loadMiniSet('train', settings.limit) };
      const teacher = await this.teacherPlan(settings);
      this.lossChart.clear();
      this.accuracyChart.clear();
      $('#table').hidden = true;
      $('#summary').textContent = '';
      const roleEpochs = new Map<TripletRole, number>();
      const output = await runDistillation(settings, teacher, data, {
        onPhase: (phase) => {
          this.status.textContent = `${PHASE_TEXT[phase]}…`;
        },
        onBatch: (role, logs, epochs) => {
          const key = ROLE_KEY[role];
          roleEpochs.set(role, epochs);
          const done = logs.epoch + (logs.batch + 1) / logs.batchesPerEpoch;
          // Runs of other lengths (the teacher; the scratch student with few labels trains more,
          // shorter epochs) are drawn over the students' epochs, so curves line up by progress.
          this.lossChart.add(
            key,
            (done / epochs) * settings.epochs,
            logs.losses['total'] ?? Number.NaN,
          );
          this.progress.value = done / epochs;
          this.status.textContent = `${key === 'kd' ? 'distilling' : `training ${key === 'scratch' ? 'the scratch student' : 'the teacher'}`}: epoch ${logs.epoch + 1}/${epochs}, batch ${logs.batch + 1}/${logs.batchesPerEpoch} · ${Math.round(logs.imagesPerSecond).toLocaleString('en-US')} images/s`;
        },
        onEpoch: (role, record) => {
          if (record.testAccuracy !== undefined && role !== 'teacher') {
            const scale = settings.epochs / (roleEpochs.get(role) ?? settings.epochs);
            this.accuracyChart.add(ROLE_KEY[role], (record.epoch + 1) * scale, record.testAccuracy);
          }
        },
      });
      const { teacher: teacherRow } = output.triplet.rows;
      const xMax = Math.max(settings.epochs, 1);
      this.accuracyChart.add('teacher', 0, teacherRow.accuracy);
      this.accuracyChart.add('teacher', xMax, teacherRow.accuracy);
      this.lossChart.draw();
      this.accuracyChart.draw();
      this.kdStudent = output.kdStudent;
      const result = pageResult({
        triplet: output.triplet,
        backend: this.backend ?? { name: tf.getBackend(), reason: '', threads: 1 },
        teacherSource: this.teacherSource(settings),
        imagesPerSecond: output.kdImagesPerSecond,
        seconds: (performance.now() - started) / 1000,
        settings,
      });
      this.showResult(result);
      this.downloadButton.disabled = false;
    } catch (error) {
      this.fail(error);
    } finally {
      this.running = false;
      this.runButton.disabled = false;
      this.teacherFieldset.disabled = false;
    }
  }

  private showResult(result: PageResult): void {
    const table = $<HTMLTableElement>('#table');
    const body = table.tBodies[0] as HTMLTableSectionElement;
    body.replaceChildren(
      ...tableRows(result).map((cells, i) => {
        const tr = document.createElement('tr');
        tr.className = ['teacher', 'scratch', 'kd'][i] ?? '';
        for (const cell of cells) {
          const td = document.createElement(tr.childElementCount === 0 ? 'th' : 'td');
          td.textContent = cell;
          tr.append(td);
        }
        return tr;
      }),
    );
    table.hidden = false;
    $('#summary').textContent = summaryLine(result);
    this.progress.value = 1;
    this.status.textContent = 'done';
    this.resultBox.dataset['json'] = JSON.stringify(result);
  }

  private async download(): Promise<void> {
    if (!this.kdStudent) return;
    try {
      // tfjs's browserDownloads handler: model.json + one weights .bin, as two downloads.
      const [handler] = tf.io.getSaveHandlers('downloads://kdkit-student-kd');
      if (!handler?.save)
        throw new Error('download: this tfjs build has no browserDownloads handler');
      await handler.save(this.kdStudent);
    } catch (error) {
      this.showError(error);
    }
  }

  private clearError(): void {
    this.errorBox.hidden = true;
    this.errorBox.textContent = '';
  }

  private showError(error: unknown): void {
    this.errorBox.textContent = message(error);
    this.errorBox.hidden = false;
  }

  /** A run or the start failed: the message in the page and in the JSON contract. */
  private fail(error: unknown): void {
    this.showError(error);
    this.status.textContent = 'stopped by an error (see above)';
    const payload: PageError = { error: message(error) };
    this.resultBox.dataset['json'] = JSON.stringify(payload);
  }
}

export function startPage(): Promise<void> {
  return new Page().start();
}
