// One box per character of the one-time code: typing advances, Backspace on an empty box goes back,
// pasting (or an autofill of) the whole code fills every box, and a full code submits by itself.
// A code is digits, or (for an address whose codes were being guessed at) letters and digits without
// 0, 1, I and O, shown in two halves in the mail: the hyphen and spaces of a pasted one are left out.

const LETTERS = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function createCodeInput(container, length, onComplete, errorId = 'code-code-error', letters = false) {
  const boxes = Array.from({ length }, (_, index) => createBox(index, length, errorId, letters));
  container.replaceChildren(...boxes);
  container.classList.toggle('many', length > 6);

  const accepted = (character) => (letters ? LETTERS.includes(character) : /^\d$/.test(character));
  const clean = (text) => Array.from(text.toUpperCase()).filter(accepted).join('');
  const value = () => boxes.map((box) => box.value).join('');
  const isComplete = () => boxes.every((box) => box.value.length === 1 && accepted(box.value));

  // Writes digits from box `start` on; returns the index after the last one written.
  function fill(start, digits) {
    let index = start;
    for (const digit of digits) {
      if (index >= length) {
        break;
      }
      boxes[index].value = digit;
      index += 1;
    }
    return index;
  }

  function afterFill(next) {
    if (isComplete()) {
      boxes[length - 1].focus();
      onComplete();
    } else {
      const firstEmpty = boxes.findIndex((box) => box.value === '');
      boxes[Math.min(next, firstEmpty === -1 ? length - 1 : firstEmpty)].focus();
    }
  }

  boxes.forEach((box, index) => {
    box.addEventListener('focus', () => box.select());

    box.addEventListener('input', () => {
      const digits = clean(box.value);
      if (digits === '') {
        box.value = '';
        return;
      }
      // More than one digit means an autofill or a browser that ignores maxlength: spread them out.
      const start = digits.length >= length ? 0 : index;
      afterFill(fill(start, digits));
    });

    box.addEventListener('keydown', (event) => {
      if (event.key === 'Backspace' && box.value === '' && index > 0) {
        event.preventDefault();
        boxes[index - 1].value = '';
        boxes[index - 1].focus();
      } else if (event.key === 'ArrowLeft' && index > 0) {
        event.preventDefault();
        boxes[index - 1].focus();
      } else if (event.key === 'ArrowRight' && index < length - 1) {
        event.preventDefault();
        boxes[index + 1].focus();
      }
    });

    box.addEventListener('paste', (event) => {
      event.preventDefault();
      const digits = clean(event.clipboardData?.getData('text') ?? '');
      if (digits === '') {
        return;
      }
      const start = digits.length >= length ? 0 : index;
      afterFill(fill(start, digits));
    });
  });

  return {
    letters,
    value,
    isComplete,
    clear() {
      boxes.forEach((box) => { box.value = ''; });
    },
    focus() {
      const firstEmpty = boxes.find((box) => box.value === '');
      (firstEmpty ?? boxes[0]).focus();
    },
    setInvalid(invalid) {
      boxes.forEach((box) => box.setAttribute('aria-invalid', String(invalid)));
    },
    first: boxes[0],
  };
}

function createBox(index, length, errorId, letters) {
  const box = document.createElement('input');
  box.type = 'text';
  box.inputMode = letters ? 'text' : 'numeric';
  if (letters) {
    box.autocapitalize = 'characters';
  } else {
    box.pattern = '[0-9]*';
  }
  box.maxLength = 1;
  box.autocomplete = index === 0 ? 'one-time-code' : 'off';
  box.name = `digit-${index + 1}`;
  box.className = 'digit';
  box.setAttribute('aria-label', `${letters ? 'Character' : 'Digit'} ${index + 1} of ${length}`);
  box.setAttribute('aria-describedby', errorId);
  return box;
}
