import t from 'tap';
import { identicalGivesGo, SEEDS } from '../helpers/identical-rehearsal.js';

// Seeds 1–5 of 20; the others are in the other no-false-alarms files.
identicalGivesGo(t, SEEDS.slice(0, 5));
